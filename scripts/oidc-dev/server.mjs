// OpenID Connect provider for Castellan's development and tests (SPEC section 7), built on
// oidc-provider. Started in the foreground by scripts/oidc-dev.sh; everything it holds
// (sessions, grants, codes, its signing key) lives in memory and is gone when it stops.
//
// Environment: OIDC_DEV_PORT (default 3900). Issuer: http://127.0.0.1:<port>.
// Client castellan-acme / castellan-dev-secret, code flow with PKCE (S256) required, client
// authentication client_secret_basic or client_secret_post. Redirect URIs: any path on
// http://127.0.0.1:<any port> or http://localhost:<any port>, nothing else.
// Accounts sso.dave (groups: operators) and sso.grace (groups: auditors), password
// Castellan-demo-1. ID tokens carry sub, preferred_username and groups. No consent screen.
// Also alice (groups: operators), the same name as the demo's local user alice: SSO must never
// sign in as a local user (SPEC rule 6), and the end-to-end tests try.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const rawPort = process.env.OIDC_DEV_PORT || '3900';
const PORT = Number(rawPort);
if (!/^\d+$/.test(rawPort) || PORT < 1 || PORT > 65535) {
  console.error(`OIDC_DEV_PORT must be a TCP port number, not ${JSON.stringify(rawPort)}`);
  process.exit(2);
}
const HOST = '127.0.0.1';
const ISSUER = `http://${HOST}:${PORT}`;

const CLIENT_ID = 'castellan-acme';
const CLIENT_SECRET = 'castellan-dev-secret';
const PASSWORD = 'Castellan-demo-1';
const ACCOUNTS = [
  { sub: 'dave-0001', username: 'sso.dave', groups: ['operators'] },
  { sub: 'grace-0002', username: 'sso.grace', groups: ['auditors'] },
  { sub: 'alice-0003', username: 'alice', groups: ['operators'] },
];

// Any path on http://127.0.0.1:<any port> or http://localhost:<any port>; nothing else.
function isLocalRedirectUri(value) {
  if (typeof value !== 'string' || value.includes('#')) return false;
  let url;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'http:'
    && (url.hostname === '127.0.0.1' || url.hostname === 'localhost')
    && url.username === '' && url.password === '';
}

// A fresh RS256 signing key each start; relying parties read it from /jwks.
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `castellan-dev-${randomBytes(6).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

// Signs the user in without a consent screen: every OpenID scope and claim the client asks for
// is granted at once (in place of oidc-provider's default, which only loads an existing grant).
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const { Grant } = oidc.provider;
  const { accountId } = oidc.session;
  const { clientId } = oidc.client;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(clientId);
  let grant = grantId ? await Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
    grant = new Grant({ accountId, clientId });
  }
  const scopes = [...oidc.requestParamOIDCScopes];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

// In-memory storage for oidc-provider's models (its own quick-start adapter keeps only the
// last 1000 entries and warns at every start).
const store = new Map(); // key -> { value, expiresAt (ms, 0 = never) }
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken']);
function storeGet(key) {
  const entry = store.get(key);
  if (entry && entry.expiresAt && entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry?.value;
}
function storeSet(key, value, expiresIn) {
  const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : 0;
  const previous = store.get(key)?.expiresAt;
  store.set(key, { value, expiresAt: previous === 0 || (previous && previous > expiresAt) ? previous : expiresAt });
}
setInterval(() => {
  const now = Date.now();
  for (const [key, { expiresAt }] of store) if (expiresAt && expiresAt <= now) store.delete(key);
}, 60_000).unref();

class MemoryAdapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    store.delete(this.key(id));
    storeSet(this.key(id), payload, expiresIn);
    if (this.model === 'Session') storeSet(`sessionUid:${payload.uid}`, id, expiresIn);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      storeSet(grantKey, [...(storeGet(grantKey) || []), this.key(id)], expiresIn);
    }
  }

  async find(id) { return storeGet(this.key(id)); }

  async findByUid(uid) {
    const id = storeGet(`sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode() { return undefined; }

  async consume(id) {
    const payload = storeGet(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { store.delete(this.key(id)); }

  async revokeByGrantId(grantId) {
    for (const key of storeGet(`grant:${grantId}`) || []) store.delete(key);
    store.delete(`grant:${grantId}`);
  }
}

async function findAccount(_ctx, sub) {
  const account = ACCOUNTS.find((a) => a.sub === sub);
  if (!account) return undefined;
  return {
    accountId: account.sub,
    async claims() {
      return { sub: account.sub, preferred_username: account.username, groups: account.groups };
    },
  };
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}
main{max-width:22rem;margin:4rem auto;padding:1.5rem 2rem;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .25rem}
input{width:100%;box-sizing:border-box;padding:.45rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}
[role=alert]{color:#9b1c1c;background:#fde8e8;padding:.5rem;border-radius:4px}
pre{white-space:pre-wrap;word-break:break-word}`;

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function signInPage(uid, { username = '', error } = {}) {
  return page('Sign in – Castellan OIDC dev provider', `<h1>Sign in</h1>
<p>Castellan OIDC dev provider</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" required value="${escapeHtml(username)}"${username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`);
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Frame-Options', 'DENY');
  res.end(html);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new Error('request body too large');
  }
  return new URLSearchParams(body);
}

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'Castellan',
    // Registered for form's sake; redirectUriAllowed below accepts any local URI.
    redirect_uris: [`http://127.0.0.1:3000/sso/callback`, `http://localhost:3000/sso/callback`],
    post_logout_redirect_uris: [`http://127.0.0.1:3000/`, `http://localhost:3000/`],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
    id_token_signed_response_alg: 'RS256',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'groups'],
    groups: ['groups'],
  },
  // Put the scope's claims in the ID token itself, not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  jwks: { keys: [signingKey] },
  adapter: MemoryAdapter,
  findAccount,
  loadExistingGrant,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Sign out – Castellan OIDC dev provider', `<h1>Sign out</h1>
<p>Sign out of the Castellan OIDC dev provider?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Signed out – Castellan OIDC dev provider', '<h1>Signed out</h1>\n<p>You have signed out of the Castellan OIDC dev provider.</p>');
      },
    },
  },
  // Plain http on 127.0.0.1: cookies are never Secure (the issuer is http), and SameSite=Lax
  // rather than oidc-provider's default None, which Chromium drops when not Secure. Their
  // names carry a prefix because cookies are shared by every port of 127.0.0.1, Castellan's too.
  cookies: {
    names: {
      session: 'oidc_dev_session',
      interaction: 'oidc_dev_interaction',
      resume: 'oidc_dev_interaction_resume',
    },
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
    keys: [randomBytes(32).toString('hex')],
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
  },
  clientBasedCORS: () => false,
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error – Castellan OIDC dev provider', `<h1>Sign-in error</h1>
<p role="alert">${escapeHtml(out.error)}${out.error_description ? `: ${escapeHtml(out.error_description)}` : ''}</p>`);
  },
});
provider.proxy = false;

provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return this.clientId === CLIENT_ID && isLocalRedirectUri(value);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
  return this.clientId === CLIENT_ID && isLocalRedirectUri(value);
};

// The sign-in page: GET shows the form, POST checks the password and finishes the login.
async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Error', '<h1>Sign-in error</h1>\n<p role="alert">This sign-in page has expired; start again from the application.</p>'));
    return;
  }
  const { prompt } = details;
  if (prompt.name === 'consent') {
    // Not reached while loadExistingGrant grants everything, but never ask for consent.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') {
    send(res, 200, signInPage(uid, { username: details.params.login_hint || '' }));
    return;
  }
  if (req.method !== 'POST') {
    res.statusCode = 405;
    res.setHeader('Allow', 'GET, POST');
    res.end();
    return;
  }
  const form = await readForm(req);
  const username = (form.get('username') || '').trim();
  const account = ACCOUNTS.find((a) => a.username === username);
  if (!account || form.get('password') !== PASSWORD) {
    send(res, 200, signInPage(uid, { username, error: 'Wrong username or password.' }));
    return;
  }
  await provider.interactionFinished(req, res, {
    login: { accountId: account.sub },
  }, { mergeWithLastSubmission: false });
}

const providerCallback = provider.callback();
const server = http.createServer((req, res) => {
  const path = new URL(req.url, ISSUER).pathname;
  const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(path);
  if (!match) {
    providerCallback(req, res);
    return;
  }
  interaction(req, res, match[1]).catch((err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const expired = err?.name === 'SessionNotFound';
    if (!expired) console.error(err);
    send(res, expired ? 400 : 500, page('Error', `<h1>Sign-in error</h1>\n<p role="alert">${expired
      ? 'This sign-in page has expired; start again from the application.'
      : escapeHtml(err?.message || 'internal error')}</p>`));
  });
});

server.on('error', (err) => {
  console.error(`OIDC dev provider: ${err.message}`);
  process.exit(1);
});
server.listen(PORT, HOST, () => {
  console.log(`OIDC dev provider listening on ${ISSUER}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

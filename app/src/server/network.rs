//! Who a request comes from, and which origin is ours, when Castellan runs behind a reverse
//! proxy. Forwarded headers are believed only from the proxies the operator names
//! (`CASTELLAN_TRUSTED_PROXIES`); anyone else could write them.

use std::net::IpAddr;

use http::HeaderMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// Addresses of the reverse proxies in front of the server.
    pub trusted_proxies: Vec<IpAddr>,
    /// The site's public origin (`https://castellan.example.com`), when it differs from `Host`.
    pub public_origin: Option<String>,
}

impl Network {
    fn trusts(&self, address: IpAddr) -> bool {
        self.trusted_proxies.contains(&address)
    }

    /// The client's address: the socket peer, or, when the peer is a trusted proxy, the nearest
    /// address in `X-Forwarded-For` that is not one of our proxies (the ones further left were
    /// written by the client and prove nothing).
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        forwarded
            .into_iter()
            .rev()
            .find(|a| !self.trusts(*a))
            .unwrap_or(peer)
    }

    /// Whether the request came over HTTPS as far as we can tell: through a trusted proxy that
    /// says so.
    pub fn forwarded_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.trusts(peer)
            && headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
    }

    /// Our origin with its scheme, as the browser sees it (for addresses we hand out, such as
    /// the SSO redirect URI): the configured public origin, else `Host` (or a trusted proxy's
    /// `X-Forwarded-Host`) over https when a trusted proxy says so or cookies are forced secure.
    pub fn our_origin(&self, peer: IpAddr, headers: &HeaderMap, https: bool) -> Option<String> {
        if let Some(origin) = &self.public_origin {
            return Some(origin.trim_end_matches('/').to_owned());
        }
        let scheme = if https || self.forwarded_https(peer, headers) {
            "https"
        } else {
            "http"
        };
        self.our_host(peer, headers)
            .map(|host| format!("{scheme}://{host}"))
    }

    /// The origin a same-site request carries: the configured public origin, else the one the
    /// request was addressed to (`X-Forwarded-Host` from a trusted proxy, else `Host`), without
    /// the scheme.
    pub fn our_host<'a>(&'a self, peer: IpAddr, headers: &'a HeaderMap) -> Option<&'a str> {
        if let Some(origin) = &self.public_origin {
            return origin
                .split_once("://")
                .map(|(_, host)| host.trim_end_matches('/'));
        }
        let forwarded = self
            .trusts(peer)
            .then(|| headers.get("x-forwarded-host"))
            .flatten();
        forwarded
            .or_else(|| headers.get(http::header::HOST))
            .and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let net = Network {
            trusted_proxies: vec![proxy],
            public_origin: None,
        };
        // The client wrote a fake first entry; the proxy appended the real peer.
        let h = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7")]);
        assert_eq!(net.client_address(proxy, &h), client);
        // From anyone else the header is ignored.
        let stranger: IpAddr = "192.0.2.9".parse().unwrap();
        assert_eq!(net.client_address(stranger, &h), stranger);
        assert!(
            !Network::default().forwarded_https(proxy, &headers(&[("x-forwarded-proto", "https")]))
        );
        assert!(net.forwarded_https(proxy, &headers(&[("x-forwarded-proto", "https")])));
    }

    #[test]
    fn our_host_is_the_public_origin_or_the_forwarded_or_plain_host() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let h = headers(&[
            ("host", "internal:3000"),
            ("x-forwarded-host", "castellan.example.com"),
        ]);
        let plain = Network::default();
        assert_eq!(plain.our_host(proxy, &h), Some("internal:3000"));
        let behind = Network {
            trusted_proxies: vec![proxy],
            public_origin: None,
        };
        assert_eq!(behind.our_host(proxy, &h), Some("castellan.example.com"));
        let fixed = Network {
            trusted_proxies: vec![],
            public_origin: Some("https://console.example.org/".into()),
        };
        assert_eq!(fixed.our_host(proxy, &h), Some("console.example.org"));
    }
}

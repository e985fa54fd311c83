use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

use super::PortalHeader;
use crate::{
    api::partner::{portal_me, served_tenant, SetPartnerAdminRoles},
    components::feedback::ErrorMessage,
    model::{
        partner::{PartnerAdminEntry, ServedTenantDetail},
        AppError, RoleId,
    },
};

/// `/partner/tenants/<id>`: the partner's administrators in one served tenant, and their roles.
#[component]
pub fn PartnerTenantPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("id").unwrap_or_default());
    let reload = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let me = Resource::new(|| (), |_| portal_me());
    let detail = Resource::new(
        move || (slug(), reload.get()),
        |(slug, _)| served_tenant(slug),
    );
    view! {
        <Title text="Partner administrators"/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (me.await, detail.await) {
                    (Ok(Some(me)), Ok(detail)) => view! {
                        <PortalHeader me/>
                        <main id="main" class="portal-main"><TenantAdmins detail reload notice/></main>
                    }.into_any(),
                    (Ok(None), _) | (_, Err(AppError::Unauthorized)) => view! { <Redirect path="/partner"/> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorMessage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TenantAdmins(
    detail: ServedTenantDetail,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let tenant = detail.tenant.clone();
    view! {
        <p><a href="/partner">"← Tenants"</a></p>
        <header class="page-header">
            <div>
                <p class="muted">{format!("{} · template {}", tenant.name, tenant.template)}</p>
                <h1>{tenant.slug.clone()}</h1>
            </div>
        </header>
        <section class="panel" aria-labelledby="partner-admins-heading">
            <h2 id="partner-admins-heading">"Partner administrators"</h2>
            <p class="muted">"Their global roles in this tenant change only here. Every role of the template is yours to give."</p>
            {move || notice.get().map(|text| view! { <p role="status" class="alert alert-success">{text}</p> })}
            {detail.admins.is_empty().then(|| view! { <p class="empty" role="status">"No partner administrator of yours in this tenant."</p> })}
            <ul class="admin-list">
                {detail.admins.into_iter().map(|admin| view! { <AdminRoles slug=tenant.slug.clone() admin reload notice/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn AdminRoles(
    slug: String,
    admin: PartnerAdminEntry,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let apply = ServerAction::<SetPartnerAdminRoles>::new();
    let held: BTreeSet<RoleId> = admin
        .roles
        .iter()
        .filter(|r| r.held)
        .map(|r| r.id)
        .collect();
    let summary = admin
        .roles
        .iter()
        .filter(|r| r.held)
        .map(|r| r.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let ticked = RwSignal::new(held);
    let panel = format!("roles-of-{}", admin.user);
    let (user, version, username) = (admin.user, admin.roles_version, admin.username.clone());
    let applied_to = username.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = apply.value().get() {
            notice.set(Some(format!("Global roles of {applied_to} applied.")));
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <li class="admin-entry">
            <p><strong>{admin.username.clone()}</strong>" "<span class="muted">{if summary.is_empty() { "no global roles".to_owned() } else { summary }}</span></p>
            <button type="button" aria-expanded=move || open.get().to_string() aria-controls=panel.clone()
                on:click=move |_| open.update(|o| *o = !*o)>{format!("Global roles of {username}")}</button>
            <div id=panel hidden=move || !open.get() class="role-checklist">
                <fieldset>
                    <legend class="visually-hidden">{format!("Global roles of {}", admin.username)}</legend>
                    {admin.roles.into_iter().map(|role| {
                        let id = role.id;
                        view! {
                            <label class="checkbox-field">
                                <input type="checkbox" prop:checked=move || ticked.with(|t| t.contains(&id))
                                    on:change=move |ev| { let on = event_target_checked(&ev); ticked.update(|t| { if on { t.insert(id); } else { t.remove(&id); } }); }/>
                                " " {role.name}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="button" class="primary" disabled=move || apply.pending().get()
                    on:click=move |_| { apply.dispatch(SetPartnerAdminRoles { slug: slug.clone(), user, roles: ticked.get_untracked().into_iter().collect(), roles_version: version }); }>"Apply"</button>
                {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
            </div>
        </li>
    }
}

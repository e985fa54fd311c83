use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{
    app_shell::{has_feature, use_me},
    pager::Pager,
};
use crate::{
    api::roles::{list_inventory_roles, list_roles},
    components::loading::Loaded,
    model::{
        inventory::InventoryRoleCard,
        roles::{RoleCard, RolePage},
    },
};

/// `/roles`: the tabs, and the global roles as cards, searched and paged on the server.
#[component]
pub fn RolesPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let roles = Resource::new(move || (query.get(), page.get()), |(q, p)| list_roles(q, p));
    let me = use_me();
    let tab = RwSignal::new(0u8);
    // The inventory roles are read the first time their tab is opened, not with every visit.
    let inventory_opened =
        Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || tab.get() == 1);
    view! {
        <Title text="Roles"/>
        <header class="page-header">
            <h1>
                <Transition fallback=|| "Roles">
                    {move || Suspend::new(async move {
                        me.await.map_or_else(|_| "Roles".to_owned(), |me| me.features.roles_title)
                    })}
                </Transition>
            </h1>
            <a class="button primary" href="/roles/global/new">"Add global role"</a>
        </header>
        <div role="tablist" class="tabs" aria-label="Role kinds">
            <button role="tab" id="tab-global" aria-controls="panel-global" aria-selected=move || (tab.get() == 0).to_string() on:click=move |_| tab.set(0)>"Global roles"</button>
            // Only a template with the device-group tree has inventory roles.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    has_feature(&me.await, |f| f.device_groups).then(|| view! {
                        <button role="tab" id="tab-inventory" aria-controls="panel-inventory" aria-selected=move || (tab.get() == 1).to_string() on:click=move |_| tab.set(1)>"Inventory roles"</button>
                    })
                })}
            </Transition>
        </div>
        <section role="tabpanel" id="panel-global" aria-labelledby="tab-global" hidden=move || tab.get() != 0>
            <p class="muted">"Global roles grant permissions on the whole tenant. A user's permissions are the union of all roles they hold."</p>
            <div class="toolbar">
                <label for="role-search" class="visually-hidden">"Search roles"</label>
                <input id="role-search" type="search" placeholder="Search by name or description"
                    prop:value=move || query.get_untracked()
                    on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); }/>
            </div>
            <Loaded resource=roles view={move |data: RolePage| {
                let pages = data.pages();
                let (current, total) = (data.page, data.total);
                view! {
                    {if data.rows.is_empty() {
                        view! { <p class="empty" role="status">"No role matches the search."</p> }.into_any()
                    } else {
                        view! { <ul class="cards">{data.rows.into_iter().map(|card| view! { <li><RoleCardView card/></li> }).collect_view()}</ul> }.into_any()
                    }}
                    <Pager label="Pages" at=current has_next={current < pages} summary=format!("Page {current} of {pages} · {total} roles") go=move |p| page.set(p)/>
                }
            }}/>
        </section>
        <section role="tabpanel" id="panel-inventory" aria-labelledby="tab-inventory" hidden=move || tab.get() != 1>
            <p class="muted">"Inventory roles grant permissions on a device group and everything below it. A row that a row above already covers is marked overridden."</p>
            <div class="toolbar">
                <a class="button primary" href="/roles/inventory/new">"Add inventory role"</a>
            </div>
            <Show when=move || inventory_opened.get()>
                <InventoryCards/>
            </Show>
        </section>
    }
}

#[component]
fn InventoryCards() -> impl IntoView {
    let inventory = Resource::new(|| (), |_| list_inventory_roles());
    view! {
        <Loaded resource=inventory view={|cards: Vec<InventoryRoleCard>| view! {
            {cards.is_empty().then(|| view! { <p class="empty" role="status">"This tenant has no inventory roles."</p> })}
            <ul class="cards">
                {cards.into_iter().map(|card| view! { <li><InventoryCardView card/></li> }).collect_view()}
            </ul>
        }}/>
    }
}

#[component]
fn RoleCardView(card: RoleCard) -> impl IntoView {
    let holders = format!(
        "{} {} · {} {}",
        card.users,
        if card.users == 1 { "user" } else { "users" },
        card.groups,
        if card.groups == 1 { "group" } else { "groups" }
    );
    view! {
        <a class="card" href=format!("/roles/global/{}", card.id)>
            <h2 class="card-title">{card.name.clone()}</h2>
            <p class="card-desc">{card.description.clone()}</p>
            <p class="card-meta">
                <span>{holders}</span>
                {card.built_in.then(|| view! { <span class="badge">"Built-in"</span> })}
                {card.special.then(|| view! { <span class="badge badge-special">"Special"</span> })}
            </p>
        </a>
    }
}

#[component]
fn InventoryCardView(card: InventoryRoleCard) -> impl IntoView {
    let users = format!(
        "{} {}",
        card.users,
        if card.users == 1 { "user" } else { "users" }
    );
    view! {
        <article class="card card-linked" aria-labelledby=format!("inventory-role-{}", card.id)>
            <h2 class="card-title" id=format!("inventory-role-{}", card.id)>
                <a class="card-link" href=format!("/roles/inventory/{}", card.id)>{card.name.clone()}</a>
            </h2>
            <p class="card-desc">{card.description.clone()}</p>
            <table class="mini-table">
                <thead><tr><th scope="col">"Category"</th><th scope="col">"Type"</th><th scope="col">"Permission"</th></tr></thead>
                <tbody>
                    {card.rows.into_iter().map(|row| view! {
                        <tr class:overridden=row.overridden.is_some()>
                            <td>{row.permission.category.clone()}</td>
                            <td><code>{row.permission.fragment_type.clone()}</code></td>
                            <td>
                                {row.permission.level.as_str()}
                                {row.overridden.clone().map(|why| view! { " " <span class="badge" title=why.clone()>"overridden"</span><span class="visually-hidden">{format!(": {why}")}</span> })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="card-meta"><span>{users}</span></p>
        </article>
    }
}

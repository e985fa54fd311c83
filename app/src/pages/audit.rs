use leptos::{ev, prelude::*};
use leptos_meta::Title;

use crate::components::pager::Pager;
use crate::{
    api::audit::list_audit,
    components::loading::Loaded,
    model::audit::{changes, export_query, AuditEntry, AuditFilter, AuditPage, Mark},
};

/// `/audit`: the tenant's audit log, filtered and paged on the server, newest first.
#[component]
pub fn AuditPage() -> impl IntoView {
    // What the form holds, and what was last applied with `Filter`.
    let draft = RwSignal::new(AuditFilter::default());
    let applied = RwSignal::new(AuditFilter::default());
    let page = RwSignal::new(1i64);
    let events = Resource::new(
        move || (applied.get(), page.get()),
        |(filter, page)| list_audit(filter, page),
    );
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        applied.set(draft.get_untracked());
        page.set(1);
    };
    let field = move |label: &'static str,
                      id: &'static str,
                      kind: &'static str,
                      get: fn(&AuditFilter) -> String,
                      set: fn(&mut AuditFilter, String)| {
        view! {
            <div class="filter-field">
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=move || draft.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)) }/>
            </div>
        }
    };
    view! {
        <Title text="Audit log"/>
        <header class="page-header">
            <h1>"Audit log"</h1>
            <a class="button" download="audit-log.csv"
                href=move || format!("/audit/export.csv?{}", applied.with(export_query))>"Export CSV"</a>
        </header>
        <Loaded resource=events view=move |data: AuditPage| {
            let current = data.page;
            let has_more = data.has_more;
            let empty = data.rows.is_empty();
            view! {
                <form class="filters" on:submit=submit>
                    {field("Actor", "audit-actor", "text", |f| f.actor.clone(), |f, v| f.actor = v)}
                    <div class="filter-field">
                        <label for="audit-action">"Action"</label>
                        <select id="audit-action" on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.action = v) }>
                            <option value="" selected=move || draft.with(|d| d.action.is_empty())>"Any action"</option>
                            {data.actions.clone().into_iter().map(|a| {
                                let selected = { let a = a.clone(); move || draft.with(|d| d.action == a) };
                                view! { <option value=a.clone() selected=selected>{a.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    {field("Target", "audit-target", "text", |f| f.target.clone(), |f, v| f.target = v)}
                    {field("From", "audit-from", "date", |f| f.from.clone(), |f, v| f.from = v)}
                    {field("To", "audit-to", "date", |f| f.to.clone(), |f, v| f.to = v)}
                    <button type="submit" class="primary">"Filter"</button>
                </form>
                <table class="data-table audit-table">
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"Actor"</th>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Target"</th>
                            <th scope="col">"From"</th>
                            <th scope="col"><span class="visually-hidden">"Changes"</span></th>
                        </tr>
                    </thead>
                    {data.rows.into_iter().map(|entry| view! { <EventRows entry/> }).collect_view()}
                </table>
                {empty.then(|| view! { <p class="empty" role="status">"No event matches the filters."</p> })}
                <Pager label="Pages" at=current has_next={has_more} summary=format!("Page {current}") go=move |p| page.set(p)/>
            }
        }/>
    }
}

/// One event, and under it, once opened, its changes before and after.
#[component]
fn EventRows(entry: AuditEntry) -> impl IntoView {
    let open = RwSignal::new(false);
    let panel = format!("changes-{}", entry.id);
    let has_changes = entry.has_changes();
    let rows = changes(&entry.before, &entry.after);
    view! {
        <tbody>
            <tr>
                <td>{entry.when.clone()}</td>
                <td>{if entry.actor.is_empty() { "system".to_owned() } else { entry.actor.clone() }}</td>
                <td><code>{entry.action.clone()}</code></td>
                <td>{entry.target.clone()}</td>
                <td class="muted">{entry.address.clone()}</td>
                <td>{has_changes.then(|| view! {
                    <button type="button" class="text-button" aria-expanded=move || open.get().to_string() aria-controls=panel.clone()
                        on:click=move |_| open.update(|o| *o = !*o)>"Show changes"</button>
                })}</td>
            </tr>
            <tr id=format!("changes-{}", entry.id) hidden=move || !open.get()>
                <td colspan="6">
                    <table class="diff-table">
                        <caption class="visually-hidden">{format!("Changes of {} on {}", entry.action, entry.target)}</caption>
                        <thead><tr><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| {
                                let (class, note) = match row.mark {
                                    Mark::Same => ("", ""),
                                    Mark::Removed => ("diff-removed", "removed: "),
                                    Mark::Added => ("diff-added", "added: "),
                                };
                                view! {
                                    <tr class=class>
                                        <td>{row.before.map(|l| view! { <span class="visually-hidden">{note}</span>{l} })}</td>
                                        <td>{row.after.map(|l| view! { <span class="visually-hidden">{note}</span>{l} })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </td>
            </tr>
        </tbody>
    }
}

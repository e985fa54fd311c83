use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::sso::{load_mapping, PreviewMapping, SaveMapping},
    components::{feedback::ErrorMessage, loading::Loaded},
    model::{
        sso::{Choice, Condition, MappedInventory, MappedRole, MappingEditor, MappingRule},
        DeviceGroupId, InventoryRoleId, Operator, RoleId, SpaceId,
    },
};

/// One condition as edited.
#[derive(Clone, Copy)]
struct ConditionDraft {
    key: usize,
    claim: RwSignal<String>,
    operator: RwSignal<Operator>,
    value: RwSignal<String>,
}

/// One rule as edited; its number is its place in the list.
#[derive(Clone, Copy)]
struct RuleDraft {
    key: usize,
    conditions: RwSignal<Vec<ConditionDraft>>,
    /// (role, space) ticked; a space-bound role carries the space chosen for it.
    roles: RwSignal<BTreeSet<(i64, Option<i64>)>>,
    inventory: RwSignal<Vec<MappedInventory>>,
    applications: RwSignal<BTreeSet<String>>,
}

fn next_key() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn condition_draft(c: &Condition) -> ConditionDraft {
    ConditionDraft {
        key: next_key(),
        claim: RwSignal::new(c.claim.clone()),
        operator: RwSignal::new(c.operator),
        value: RwSignal::new(c.value.clone()),
    }
}

fn rule_draft(rule: &MappingRule) -> RuleDraft {
    let conditions = if rule.conditions.is_empty() {
        vec![Condition {
            claim: "groups".into(),
            operator: Operator::Contains,
            value: String::new(),
        }]
    } else {
        rule.conditions.clone()
    };
    RuleDraft {
        key: next_key(),
        conditions: RwSignal::new(conditions.iter().map(condition_draft).collect()),
        roles: RwSignal::new(
            rule.roles
                .iter()
                .map(|m| (m.role.0, m.space.map(|s| s.0)))
                .collect(),
        ),
        inventory: RwSignal::new(rule.inventory.clone()),
        applications: RwSignal::new(rule.applications.iter().cloned().collect()),
    }
}

/// The rules as the drafts say now.
fn rules_of(drafts: &[RuleDraft]) -> Vec<MappingRule> {
    drafts
        .iter()
        .map(|d| MappingRule {
            conditions: d
                .conditions
                .get_untracked()
                .iter()
                .map(|c| Condition {
                    claim: c.claim.get_untracked(),
                    operator: c.operator.get_untracked(),
                    value: c.value.get_untracked(),
                })
                .collect(),
            roles: d
                .roles
                .get_untracked()
                .iter()
                .map(|(role, space)| MappedRole {
                    role: RoleId(*role),
                    space: space.map(SpaceId),
                })
                .collect(),
            inventory: d.inventory.get_untracked(),
            applications: d.applications.get_untracked().into_iter().collect(),
        })
        .collect()
}

fn name_of(list: &[Choice], id: i64) -> String {
    list.iter()
        .find(|c| c.id == id)
        .map_or_else(|| format!("#{id}"), |c| c.name.clone())
}

/// `/settings/access-mapping`: ordered rules of claim conditions and what they grant, a preview
/// for pasted claims, and `Save rules`.
#[component]
pub fn AccessMappingPage() -> impl IntoView {
    let editor = Resource::new(|| (), |_| load_mapping());
    view! {
        <Title text="Access mapping"/>
        <header class="page-header">
            <h1>"Access mapping"</h1>
            <A href="/settings">"Back to settings"</A>
        </header>
        <Loaded resource=editor view=move |e: MappingEditor| view! { <Rules editor=e/> }/>
    }
}

#[component]
fn Rules(editor: MappingEditor) -> impl IntoView {
    let editor = StoredValue::new(editor);
    let can_edit = editor.with_value(|e| e.can_edit);
    let drafts =
        RwSignal::new(editor.with_value(|e| e.rules.iter().map(rule_draft).collect::<Vec<_>>()));
    let save = ServerAction::<SaveMapping>::new();
    let preview = ServerAction::<PreviewMapping>::new();
    let claims = RwSignal::new(String::from("{\n  \"groups\": [\"operators\"]\n}"));
    let numbered = move || drafts.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <p class="muted">"At each SSO sign-in, every rule whose conditions all hold adds its roles; the role mode in the settings says which roles the mapping manages. You can save only rules that grant what you could grant yourself."</p>
        <For each=numbered key=|(i, d)| (*i, d.key) let:item>
            <RuleCard number={item.0 + 1} draft={item.1} editor drafts can_edit/>
        </For>
        <div class="actions">
            <button type="button" disabled=!can_edit
                on:click=move |_| drafts.update(|d| d.push(rule_draft(&MappingRule::default())))>"Add rule"</button>
            <button type="button" class="primary" disabled=move || !can_edit || save.pending().get()
                on:click=move |_| { save.dispatch(SaveMapping { rules: rules_of(&drafts.get_untracked()) }); }>"Save rules"</button>
        </div>
        {move || save.value().get().map(|r| match r {
            Ok(()) => view! { <p role="status" class="alert alert-success">"Rules saved."</p> }.into_any(),
            Err(error) => view! { <ErrorMessage error/> }.into_any(),
        })}
        <section class="panel" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview"</h2>
            <label for="preview-claims">"Claims (JSON)"</label>
            <textarea id="preview-claims" rows="5" prop:value=move || claims.get()
                on:input=move |ev| claims.set(event_target_value(&ev))></textarea>
            <div class="actions">
                <button type="button" disabled=move || preview.pending().get()
                    on:click=move |_| { preview.dispatch(PreviewMapping { rules: rules_of(&drafts.get_untracked()), claims: claims.get_untracked() }); }>"Preview"</button>
            </div>
            {move || preview.value().get().map(|r| match r {
                Ok(p) if p.rules.is_empty() => view! { <p role="status">"No rule applies: the user gets no roles from the mapping."</p> }.into_any(),
                Ok(p) => view! {
                    <div role="status">
                        <p>{format!("Rules that apply: {}", p.rules.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "))}</p>
                        <ul>{p.grants.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(error) => view! { <ErrorMessage error/> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn RuleCard(
    number: usize,
    draft: RuleDraft,
    editor: StoredValue<MappingEditor>,
    drafts: RwSignal<Vec<RuleDraft>>,
    can_edit: bool,
) -> impl IntoView {
    let legend = format!("Rule {number}");
    let inv_role = RwSignal::new(editor.with_value(|e| e.inventory_roles.first().map(|c| c.id)));
    let inv_group = RwSignal::new(editor.with_value(|e| e.groups.first().map(|c| c.id)));
    view! {
        <fieldset class="panel rule-card">
            <legend>{legend.clone()}</legend>
            <For each=move || draft.conditions.get() key=|c| c.key let:c>
                <div class="condition-row" role="group" aria-label="Condition">
                    <label>"Claim"<input type="text" disabled=!can_edit prop:value=move || c.claim.get() on:input=move |ev| c.claim.set(event_target_value(&ev))/></label>
                    <label>"Operator"
                        <select disabled=!can_edit on:change={move |ev| if let Ok(o) = event_target_value(&ev).parse::<Operator>() { c.operator.set(o) }}>
                            {Operator::ALL.iter().map(|o| { let o = *o; view! { <option value=o.as_str() selected=move || c.operator.get() == o>{o.as_str()}</option> } }).collect_view()}
                        </select>
                    </label>
                    <label>"Value"<input type="text" disabled=!can_edit prop:value=move || c.value.get() on:input=move |ev| c.value.set(event_target_value(&ev))/></label>
                    <button type="button" disabled=move || !can_edit || draft.conditions.with(|v| v.len() < 2)
                        on:click=move |_| draft.conditions.update(|v| v.retain(|x| x.key != c.key))>"Remove condition"</button>
                </div>
            </For>
            <button type="button" disabled=!can_edit
                on:click=move |_| draft.conditions.update(|v| v.push(condition_draft(&Condition { claim: String::new(), operator: Operator::Equals, value: String::new() })))>"Add condition"</button>
            <fieldset class="role-choices">
                <legend>"Global roles"</legend>
                {editor.with_value(|e| e.roles.clone()).into_iter().map(|role| {
                    let id = role.id;
                    let first_space = editor.with_value(|e| e.spaces.first().map(|s| s.id));
                    let ticked = move || draft.roles.with(|r| r.iter().any(|(x, _)| *x == id));
                    let space_of = move || draft.roles.with(|r| r.iter().find(|(x, _)| *x == id).and_then(|(_, s)| *s));
                    let toggle = move |on: bool| draft.roles.update(|r| {
                        r.retain(|(x, _)| *x != id);
                        if on { r.insert((id, if role.space_bound { first_space } else { None })); }
                    });
                    view! {
                        <div class="role-choice">
                            <label class="checkbox-field">
                                <input type="checkbox" disabled=!can_edit prop:checked=ticked on:change=move |ev| toggle(event_target_checked(&ev))/>
                                {format!(" {}", role.name)}
                            </label>
                            {role.space_bound.then(|| view! {
                                <select aria-label=format!("Space of {}", role.name) disabled=move || !can_edit || !ticked()
                                    on:change={move |ev| if let Ok(s) = event_target_value(&ev).parse::<i64>() {
                                        draft.roles.update(|r| { r.retain(|(x, _)| *x != id); r.insert((id, Some(s))); });
                                    }}>
                                    {editor.with_value(|e| e.spaces.clone()).into_iter().map(|s| view! {
                                        <option value=s.id.to_string() selected=move || space_of() == Some(s.id)>{s.name}</option>
                                    }).collect_view()}
                                </select>
                            })}
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="role-choices">
                <legend>"Inventory roles"</legend>
                <ul>
                    <For each=move || draft.inventory.get() key=|m| (m.role.0, m.group.0) let:m>
                        {
                            let label = editor.with_value(|e| format!("{} on {}", name_of(&e.inventory_roles, m.role.0), name_of(&e.groups, m.group.0)));
                            view! {
                                <li>{label.clone()}" "
                                    <button type="button" disabled=!can_edit on:click=move |_| draft.inventory.update(|v| v.retain(|x| *x != m))>{format!("Remove {label}")}</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
                <label>"Inventory role"
                    <select disabled=!can_edit on:change=move |ev| inv_role.set(event_target_value(&ev).parse().ok())>
                        {editor.with_value(|e| e.inventory_roles.clone()).into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Device group"
                    <select disabled=!can_edit on:change=move |ev| inv_group.set(event_target_value(&ev).parse().ok())>
                        {editor.with_value(|e| e.groups.clone()).into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" disabled=move || !can_edit || inv_role.get().is_none() || inv_group.get().is_none()
                    on:click=move |_| {
                        if let (Some(r), Some(g)) = (inv_role.get_untracked(), inv_group.get_untracked()) {
                            let m = MappedInventory { role: InventoryRoleId(r), group: DeviceGroupId(g) };
                            draft.inventory.update(|v| if !v.contains(&m) { v.push(m) });
                        }
                    }>"Add inventory role"</button>
            </fieldset>
            <fieldset class="role-choices">
                <legend>"Applications"</legend>
                {editor.with_value(|e| e.applications.clone()).into_iter().map(|app| {
                    let name = app.name.clone();
                    let ticked = { let name = name.clone(); move || draft.applications.with(|a| a.contains(&name)) };
                    view! {
                        <label class="checkbox-field">
                            <input type="checkbox" disabled=!can_edit prop:checked=ticked
                                on:change=move |ev| { let on = event_target_checked(&ev); let name = name.clone(); draft.applications.update(|a| { if on { a.insert(name); } else { a.remove(&name); } }); }/>
                            {format!(" {}", app.name)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <button type="button" class="danger" disabled=!can_edit
                on:click=move |_| drafts.update(|d| d.retain(|x| x.key != draft.key))>{format!("Remove rule {number}")}</button>
        </fieldset>
    }
}

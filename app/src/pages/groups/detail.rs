use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::pager::Pager;
use crate::{
    api::groups::{
        group_members, load_group, AddGroupMemberByName, DeleteGroup, SaveGroup, SetGroupMember,
        SetGroupRoles,
    },
    components::{
        confirm::ConfirmDialog, feedback::ErrorMessage, loading::Loaded, on_demand::AssignWizard,
        role_checklist::RoleChecklist,
    },
    model::{
        groups::{GroupDetail, GroupInput, MemberPage},
        users::RolesOf,
        wizard::{Mode, Subject},
        AppError, GroupId, RoleId,
    },
};

/// `/groups/<id>`: name and description, members, and the group's global roles.
#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(GroupId)
    };
    let reload = RwSignal::new(0u32);
    let group = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_group(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Created here, beside the group's, not inside its view: a resource created while a
    // streamed page hydrates inside another's `Transition` raced its own data from the stream,
    // and a full load of the page sometimes failed to hydrate.
    let members = Members::new(id, reload);
    // Messages live outside the reloaded view, so a success survives the reload it causes.
    let notice = RwSignal::new(None::<&'static str>);
    view! {
        {move || notice.get().map(|text| view! { <p role="status" class="alert alert-success">{text}</p> })}
        <Loaded resource=group view=move |group| view! { <GroupView group reload notice members/> }/>
    }
}

/// The members list's search, page and data: a page at a time, with their own search.
#[derive(Clone, Copy)]
struct Members {
    query: RwSignal<String>,
    page: RwSignal<i64>,
    data: Resource<Result<MemberPage, AppError>>,
}

impl Members {
    fn new(
        id: impl Fn() -> Option<GroupId> + Send + Sync + 'static,
        reload: RwSignal<u32>,
    ) -> Self {
        let query = RwSignal::new(String::new());
        let page = RwSignal::new(1i64);
        let data = Resource::new(
            move || (id(), query.get(), page.get(), reload.get()),
            |(id, q, p, _)| async move {
                match id {
                    Some(id) => group_members(id, q, p).await,
                    None => Err(AppError::NotFound),
                }
            },
        );
        Self { query, page, data }
    }
}

fn show_error<T>(result: Option<Result<T, AppError>>) -> Option<impl IntoView> {
    result
        .and_then(Result::err)
        .map(|error| view! { <ErrorMessage error/> })
}

#[component]
fn GroupView(
    group: GroupDetail,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<&'static str>>,
    members: Members,
) -> impl IntoView {
    let group_id = group.id;
    let can_edit = group.can_edit;
    let version = group.version;
    let roles_version = group.roles_version;
    let name = RwSignal::new(group.name.clone());
    let description = RwSignal::new(group.description.clone());
    let chosen = RwSignal::new(group.role_ids.iter().copied().collect::<BTreeSet<RoleId>>());
    let new_member = RwSignal::new(String::new());

    let save = ServerAction::<SaveGroup>::new();
    let remove = ServerAction::<DeleteGroup>::new();
    let add_member = ServerAction::<AddGroupMemberByName>::new();
    let set_member = ServerAction::<SetGroupMember>::new();
    let set_roles = ServerAction::<SetGroupRoles>::new();
    let confirm_open = RwSignal::new(false);
    let wizard_open = RwSignal::new(false);
    let bump = move || reload.update(|n| *n += 1);
    let done = move |ok: bool, text: &'static str| {
        if ok {
            notice.set(Some(text));
            bump();
        }
    };
    Effect::new(move |_| done(save.value().get().is_some_and(|r| r.is_ok()), "Saved."));
    Effect::new(move |_| {
        done(
            add_member.value().get().is_some_and(|r| r.is_ok()),
            "Member added.",
        )
    });
    Effect::new(move |_| {
        done(
            set_member.value().get().is_some_and(|r| r.is_ok()),
            "Member removed.",
        )
    });
    Effect::new(move |_| done(set_roles.value().get().is_some_and(|r| r.is_ok()), "Saved."));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/groups", Default::default());
        }
    });
    let member_count = group.members;
    let group_name = group.name.clone();
    view! {
        <Title text=group.name.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/groups">"User groups"</a> " / " <span>{group.name.clone()}</span></nav>
        <header class="page-header">
            <h1>{group.name.clone()}</h1>
            <div class="actions">
                <button type="button" disabled=!can_edit on:click=move |_| wizard_open.set(true)>"Assign roles"</button>
                <button type="button" class="danger" disabled=!can_edit on:click=move |_| confirm_open.set(true)>"Delete"</button>
            </div>
        </header>
        {move || show_error(save.value().get())}
        {move || remove.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
        <form class="panel inline-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveGroup { input: GroupInput { id: Some(group_id), name: name.get_untracked(), description: description.get_untracked(), version } });
        }>
            <div class="field">
                <label for="group-name">"Name"</label>
                <input id="group-name" type="text" maxlength="100" disabled=!can_edit prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="group-description">"Description"</label>
                <input id="group-description" type="text" disabled=!can_edit prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
            </div>
            <button type="submit" disabled=move || !can_edit || save.pending().get()>"Save details"</button>
        </form>
        <div class="editor-columns">
            <section class="panel" aria-labelledby="members-heading">
                <h2 id="members-heading">{format!("Members ({member_count})")}</h2>
                {move || show_error(add_member.value().get())}
                {move || show_error(set_member.value().get())}
                {can_edit.then(|| view! {
                    <form class="inline-form" novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        add_member.dispatch(AddGroupMemberByName { group: group_id, username: new_member.get_untracked() });
                    }>
                        <div class="field">
                            <label for="new-member">"Username"</label>
                            <input id="new-member" type="text" prop:value=move || new_member.get() on:input=move |ev| new_member.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="primary" disabled=move || add_member.pending().get()>"Add member"</button>
                    </form>
                })}
                <MembersTable members group=group_id group_name=group_name.clone() can_edit set_member/>
            </section>
            <section class="panel" aria-labelledby="group-roles-heading">
                <h2 id="group-roles-heading">"Global roles"</h2>
                <p class="muted">"Every member holds these roles through the group."</p>
                <RoleChecklist of=RolesOf::Group(group.id) initial=Some(group.roles.clone()) chosen editable=can_edit/>
                {move || show_error(set_roles.value().get())}
                <div class="actions">
                    <button type="button" class="primary" disabled=move || !can_edit || set_roles.pending().get()
                        on:click=move |_| { set_roles.dispatch(SetGroupRoles { group: group_id, roles: chosen.get_untracked().into_iter().collect(), roles_version }); }>"Save"</button>
                </div>
            </section>
        </div>
        <Show when=move || wizard_open.get()>
            <AssignWizard mode=Mode::Assign subjects=vec![Subject::Group(group_id)] open=wizard_open on_done=move |_| { notice.set(Some("Roles applied.")); bump(); }/>
        </Show>
        <ConfirmDialog open=confirm_open
            title=format!("Delete group {}?", group.name)
            message=format!("{member_count} members will lose the roles of this group. This cannot be undone.")
            confirm_label="Delete group"
            on_confirm=move |_| { remove.dispatch(DeleteGroup { id: group_id, version }); }/>
    }
}

/// The members, a page at a time, with their own search: a group may have tens of thousands.
#[component]
fn MembersTable(
    members: Members,
    group: GroupId,
    group_name: String,
    can_edit: bool,
    set_member: ServerAction<SetGroupMember>,
) -> impl IntoView {
    let Members { query, page, data } = members;
    view! {
        <div class="toolbar">
            <label for="member-search" class="visually-hidden">"Search members"</label>
            <input id="member-search" type="search" placeholder="Search members"
                prop:value=move || query.get_untracked()
                on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); }/>
        </div>
        <Loaded resource=data view=move |data: MemberPage| {
            let pages = data.pages();
            let (current, total) = (data.page, data.total);
            let group_name = group_name.clone();
            view! {
                <table class="data-table">
                    <thead><tr><th scope="col">"Username"</th><th scope="col">"Display name"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {data.rows.into_iter().map(|m| {
                            let user = m.id;
                            let label = format!("Remove {} from {}", m.username, group_name);
                            view! {
                                <tr>
                                    <td><a href=format!("/users/{}", m.id)>{m.username.clone()}</a></td>
                                    <td>{m.display_name.clone()}</td>
                                    <td class="row-actions">{can_edit.then(|| view! {
                                        <button type="button" aria-label=label
                                            on:click=move |_| { set_member.dispatch(SetGroupMember { group, user, member: false }); }>"Remove"</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {(total == 0).then(|| view! { <p class="empty" role="status">{if query.get_untracked().trim().is_empty() { "No members yet." } else { "No member matches the search." }}</p> })}
                {(pages > 1).then(|| view! {
                    <Pager label="Member pages" at=current has_next={current < pages} summary=format!("Page {current} of {pages} · {total} members") go=move |p| page.set(p)/>
                })}
            }
        }/>
    }
}

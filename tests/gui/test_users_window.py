"""The users screen (ROLE-1..3) under Xvfb over a real store and the real UsersFeature:
a director adds and changes users and line options, a supervisor is refused outside her
group with the sentence shown, an agent never gets the screen. Screenshots to $SCREENSHOTS."""
from __future__ import annotations

import dataclasses

import pytest

from callcore.app.session import UsersFeature
from callcore.passwords import verify_password
from callcore.users import LineOptions, UserAdmin
from tests.gui.fakes import FakeServices, sample_contacts
from tests.gui.test_sign_in import add_people, make_session, office, shoot  # noqa: F401 (fixture)
from ui.ports import UiPorts
from ui.users_window import UsersWindow


@pytest.fixture
def screen(root, office, tmp_path):  # noqa: F811
    made = []

    def open_as(name: str, password: str) -> tuple[UsersWindow, object]:
        session = make_session(office, tmp_path)
        session.sign_in(name, password)
        window = UsersWindow(root, UsersFeature(office, session))
        made.append(window)
        return window, session
    yield open_as
    for window in made:
        window.close()


def fill(window: UsersWindow, **values: str) -> None:
    for key, value in values.items():
        window.vars[key].set(value)


def test_director_adds_a_user_with_group_line_and_password(screen, office, root, tmp_path):  # noqa: F811
    add_people(office)
    window, _session = screen("Δώρα Παπαδάκη", "dora-pw")
    assert [window.tree.item(i, "values")[0] for i in window.tree.get_children()] == [
        "Anna", "Sue", "Δώρα Παπαδάκη"]
    fill(window, name="Jiří Dvořák", role="supervisor", group="Podpora", extension="301", password="jd-pw")
    window.add_button.invoke()
    assert window.message.cget("text") == "Jiří Dvořák added."
    user = UserAdmin(office).find("jiří dvořák")
    assert (user.role, user.extension) == ("supervisor", "301")
    assert UserAdmin(office).group_name(user) == "Podpora"
    assert verify_password("jd-pw", user.password_hash)
    assert window.tree.selection() == (user.id,)
    assert window.tree.item(user.id, "values") == ("Jiří Dvořák", "supervisor", "Podpora", "301")
    # line options of the selected user's line
    window.line_vars["auto_close_missed"].set(False)
    window.line_vars["notify_missed"].set(False)
    window.line_button.invoke()
    assert UserAdmin(office).line_options("301") == LineOptions(auto_close_missed=False, notify_missed=False)
    shoot(root, "users-window.png", tmp_path)


def test_supervisor_is_refused_outside_her_group_and_nothing_changes(screen, office, root, tmp_path):  # noqa: F811
    add_people(office)
    window, _session = screen("Sue", "sue-pw")
    window.select("Δώρα Παπαδάκη")
    assert window.vars["role"].get() == "director"
    fill(window, extension="299")
    window.save_button.invoke()
    assert window.message.cget("text") == ("Sue (supervisor) may not change the user Δώρα Παπαδάκη: only a "
                                           "director, or a supervisor for an agent of their own group, may.")
    assert UserAdmin(office).find("Δώρα Παπαδάκη").extension == "200"
    shoot(root, "users-window-refused.png", tmp_path)
    # her own agent: yes (and the new agent joins her group)
    window.select("Anna")
    fill(window, extension="205")
    window.save_button.invoke()
    assert window.message.cget("text") == "Anna saved."
    assert UserAdmin(office).find("anna").extension == "205"
    fill(window, name="Bob", role="agent", group="", extension="206", password="")
    window.add_button.invoke()
    assert UserAdmin(office).group_name(UserAdmin(office).find("bob")) == "Sales"
    window.select("Bob")
    window.remove_now()
    assert UserAdmin(office).find("bob") is None


def test_agent_gets_no_users_screen_in_the_window(make_ui, root, office, tmp_path):  # noqa: F811
    add_people(office)
    session = make_session(office, tmp_path, passwords=False)
    ports = dataclasses.replace(UiPorts.of(FakeServices(extension="201", contacts=sample_contacts())),
                                session=session, users=UsersFeature(office, session))
    ui = make_ui(ports)
    ui.session_ui._on_quit = lambda: None
    ui.session_ui.begin(preselect="Anna")
    items = {i["label"]: i["state"] for i in ui.window.menu_items("user")}
    assert items == {"Sign out": "normal", "Switch user…": "normal", "Change my password…": "normal",
                     "Users…": "disabled"}
    ui.session_ui.switch_user()
    ui.session_ui.dialog.user_var.set("Δώρα Παπαδάκη")
    ui.session_ui.dialog.submit()
    assert {i["label"]: i["state"] for i in ui.window.menu_items("user")}["Users…"] == "normal"
    window = ui.session_ui.open_users()
    assert isinstance(window, UsersWindow) and window.winfo_exists()
    ui.session_ui.sign_out()                      # signing out closes the users screen
    assert window.closed


def test_change_my_password_from_the_user_menu(make_ui, root, office, tmp_path):  # noqa: F811
    add_people(office)
    session = make_session(office, tmp_path)
    ports = dataclasses.replace(UiPorts.of(FakeServices(extension="201", contacts=sample_contacts())),
                                session=session, users=UsersFeature(office, session))
    ui = make_ui(ports)
    ui.session_ui._on_quit = lambda: None
    ui.session_ui.begin(preselect="Anna")
    ui.session_ui.dialog.password_var.set("anna-pw")
    ui.session_ui.dialog.submit()
    ui.window.menus["user"].invoke(2)                       # User › Change my password…
    dialog = ui.session_ui.password_dialog
    dialog.first.set("neu-1")
    dialog.second.set("neu-2")
    dialog.submit()
    assert dialog.message.cget("text") == "Type the same new password twice."
    assert verify_password("anna-pw", UserAdmin(office).find("Anna").password_hash)
    dialog.second.set("neu-1")
    dialog.submit()
    assert dialog.closed
    assert verify_password("neu-1", UserAdmin(office).find("Anna").password_hash)
    ui.session_ui.sign_out()
    ui.session_ui.dialog.password_var.set("anna-pw")
    ui.session_ui.dialog.submit()
    assert ui.session_ui.dialog.message.cget("text") == "Wrong password for Anna."
    ui.session_ui.dialog.password_var.set("neu-1")
    ui.session_ui.dialog.submit()
    assert session.current.name == "Anna"

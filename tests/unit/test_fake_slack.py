"""Round trips through the real slack_sdk / slack_bolt clients against the tests' FakeSlack.

FakeSlack (tests/support/fake_slack.py) is the console's stand-in for Slack (bot.console.standin) plus
failure injection, membership and waiting: these tests cover both."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tests.support.fake_slack import Call, FakeSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* moved to Proposal"}}]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.base_url)


def _post(url: str, data: bytes, content_type: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read().decode()


def test_urls_point_at_the_running_server(fake: FakeSlack) -> None:
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/api/"
    assert fake.response_url() == f"http://127.0.0.1:{fake.port}/respond/r1"
    assert fake.response_url("a b/c").endswith("/respond/a%20b%2Fc")


def test_urls_need_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = FakeSlack().base_url


def test_post_message_is_recorded_with_decoded_blocks(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="Acme moved", blocks=BLOCKS)
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    (call, _) = fake.calls_to("chat.postMessage")
    assert call.body == {"channel": "C1", "text": "Acme moved", "blocks": BLOCKS}
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.key is None
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert first["message"]["user"] == "UBOT"
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    # api_call(params=...) sends a form body, as older code paths and other clients do.
    attachments = [{"color": "#36a64f", "text": "won"}]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "blocks": json.dumps(BLOCKS), "attachments": json.dumps(attachments)},
    )

    (call,) = fake.calls_to("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.body == {"channel": "C1", "blocks": BLOCKS, "attachments": attachments}


def test_slack_errors_for_a_message_without_channel_or_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as no_text:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    with pytest.raises(SlackApiError) as no_channel:
        client.api_call("chat.postMessage", json={"text": "hi"})
    assert no_text.value.response["error"] == "no_text"
    assert no_channel.value.response["error"] == "channel_not_found"


def test_post_to_a_user_id_answers_with_the_dm_channel(client: WebClient) -> None:
    assert client.chat_postMessage(channel="U1", text="hi")["channel"] == "DU1"
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"


def test_users_info_honours_add_user_and_include_locale(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", name="sato", tz="America/New_York", locale="ja-JP")

    user = client.users_info(user="U1", include_locale=True)["user"]
    assert user["name"] == "sato"
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["locale"] == "ja-JP"
    assert user["is_bot"] is False
    assert "locale" not in client.users_info(user="U1")["user"]
    # users.info's parameters travel in the query string; they are recorded like any other.
    assert fake.calls_to("users.info")[0].body == {"user": "U1", "include_locale": "1"}


def test_unknown_users_get_a_default_profile(client: WebClient) -> None:
    user = client.users_info(user="U404", include_locale=True)["user"]
    assert (user["id"], user["tz"], user["tz_offset"], user["locale"]) == (
        "U404",
        "Asia/Tokyo",
        9 * 3600,
        "en-US",
    )


def test_users_list_returns_every_known_user(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", deleted=True)
    members = client.users_list()["members"]
    assert {(m["id"], m["is_bot"], m["deleted"]) for m in members} == {
        ("UBOT", True, False),
        ("U1", False, True),
    }


def test_add_user_rejects_unknown_time_zones(fake: FakeSlack) -> None:
    with pytest.raises(KeyError):
        fake.add_user("U1", tz="Mars/Olympus")


def test_auth_test_describes_the_bot(fake: FakeSlack, client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0LOCAL", "UBOT", "BLOCAL")


def test_views_open_returns_an_id_and_update_keeps_it(fake: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "log",
        "title": {"type": "plain_text", "text": "Log"},
        "blocks": [],
    }

    opened = client.views_open(trigger_id="t1", view=view)["view"]
    updated = client.views_update(view_id=opened["id"], view=view)["view"]

    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "log"
    assert opened["state"] == {"values": {}}
    assert updated["id"] == opened["id"]
    assert fake.calls_to("views.open")[0].body["view"] == view


def test_fail_next_answers_429_with_retry_after_then_recovers(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=1)

    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="C1", text="hi")
    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "1"
    assert failure.value.response["error"] == "ratelimited"

    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_fail_next_with_status_200_is_an_api_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=200, retry_after=None, error="channel_not_found")
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="C1", text="hi")
    assert failure.value.response["error"] == "channel_not_found"
    assert "Retry-After" not in failure.value.response.headers


def test_rate_limit_retry_handler_succeeds_after_one_429(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After + random(); record the sleep instead of waiting a second.
    sleeps: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=sleeps.append))
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", status=429, retry_after=1)

    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(sleeps) == 1 and 1 <= sleeps[0] < 2


def test_posts_to_response_url_are_recorded(fake: FakeSlack) -> None:
    status, text = _post(
        fake.response_url("cmd1"), b'{"text": "hello", "replace_original": true}', "application/json"
    )
    # WebhookClient is what Bolt's respond() uses under the hood.
    webhook = WebhookClient(fake.response_url("cmd2")).send(text="bye", blocks=BLOCKS)

    assert (status, text) == (200, "ok")
    assert (webhook.status_code, webhook.body) == (200, "ok")
    assert fake.calls_to("response_url") == [
        Call("response_url", {"text": "hello", "replace_original": True}, fake.calls[0].headers, key="cmd1"),
        Call("response_url", {"text": "bye", "blocks": BLOCKS}, fake.calls[1].headers, key="cmd2"),
    ]


def test_fail_next_applies_to_response_urls(fake: FakeSlack) -> None:
    fake.fail_next("response_url", status=404, retry_after=None, error="expired_url")
    assert WebhookClient(fake.response_url()).send(text="late").status_code == 404
    assert len(fake.calls_to("response_url")) == 1


def test_wait_for_times_out_with_the_methods_seen(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"'chat.postMessage'.*got 0.*\['auth.test'\]"):
        fake.wait_for("chat.postMessage", timeout=0.1)


def test_wait_for_returns_when_a_call_arrives_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    try:
        calls = fake.wait_for("chat.postMessage", timeout=5)
    finally:
        timer.join()
    assert calls[0].body["text"] == "later"


def test_clear_forgets_calls(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    fake.clear()
    assert fake.calls == []


def test_listeners_see_every_call(fake: FakeSlack, client: WebClient) -> None:
    seen: list[str] = []
    fake.add_listener(lambda call: seen.append(call.method))

    def broken(call: Call) -> None:
        raise RuntimeError("a broken listener must not break the answer")

    fake.add_listener(broken)
    client.chat_postMessage(channel="C1", text="hi")
    assert seen == ["chat.postMessage"]


def test_unknown_methods_answer_ok_and_unknown_paths_404(fake: FakeSlack, client: WebClient) -> None:
    assert client.reactions_add(channel="C1", timestamp="1.2", name="tada")["ok"] is True
    assert fake.calls_to("reactions.add")[0].body == {"channel": "C1", "timestamp": "1.2", "name": "tada"}
    with pytest.raises(urllib.error.HTTPError) as missing:
        _post(fake.base_url.removesuffix("/api/") + "/apichat.postMessage", b"", "text/plain")
    assert missing.value.code == 404


def test_two_fakes_run_at_once_on_different_ports() -> None:
    with FakeSlack() as one, FakeSlack() as two:
        assert one.port != two.port
        WebClient(token="x", base_url=one.base_url).chat_postMessage(channel="C1", text="one")
        WebClient(token="x", base_url=two.base_url).chat_postMessage(channel="C2", text="two")
        assert [c.body["text"] for c in one.calls] == ["one"]
        assert [c.body["text"] for c in two.calls] == ["two"]


def test_files_upload_v2_works_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    content = b"\x89PNG\r\n\x1a\n\x00binary\r\n"

    answer = client.files_upload_v2(content=content, filename="x.png", channel="C1", title="Pyramid")

    (get_url,) = fake.calls_to("files.getUploadURLExternal")
    (upload,) = fake.calls_to("upload")
    (complete,) = fake.calls_to("files.completeUploadExternal")
    assert get_url.body["filename"] == "x.png"
    assert get_url.body["length"] == str(len(content))
    assert upload.body == {"size": len(content), "bytes": content}
    assert upload.key == answer["file"]["id"]
    assert complete.body["channel_id"] == "C1"
    assert complete.body["files"] == [{"id": upload.key, "title": "Pyramid"}]
    assert answer["file"]["name"] == "x.png"


def test_multipart_form_bodies_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    client.api_call(
        "files.upload", data={"channels": "C1", "filename": "a.csv"}, files={"file": b"a,b\r\n1,2"}
    )
    (call,) = fake.calls_to("files.upload")
    assert call.body == {"channels": "C1", "filename": "a.csv", "file": b"a,b\r\n1,2"}


def test_bolt_handlers_run_against_the_fake(fake: FakeSlack) -> None:
    app = App(
        client=WebClient(token="xoxb-test", base_url=fake.base_url),
        signing_secret="unused",
        request_verification_enabled=False,
    )

    @app.command("/pyramid")
    def pyramid(ack: Any, respond: Any, say: Any) -> None:
        ack()
        respond(text="only you can see this")
        say(text="everyone sees this")

    body = (
        "command=%2Fpyramid&text=&team_id=T0LOCAL&user_id=U1&channel_id=C1&trigger_id=t1"
        f"&response_url={urllib.parse.quote(fake.response_url('cmd'), safe='')}"
    )
    response = app.dispatch(
        BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})
    )

    assert response.status == 200
    assert fake.wait_for("response_url")[0].body["text"] == "only you can see this"
    assert fake.wait_for("chat.postMessage")[0].body["text"] == "everyone sees this"
    assert fake.calls[0].method == "auth.test"  # Bolt verifies its token at start-up


# ------------------------------------------------------------------------------------ OAuth installs


def test_oauth_v2_access_exchanges_a_granted_code_once_for_that_workspace_token(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.base_url)
    grant = fake.grant("code-1", team="T0ONE", team_name="One")
    answer = anonymous.oauth_v2_access(
        client_id=fake.client_id, client_secret=fake.client_secret, code="code-1"
    )
    assert answer["access_token"] == grant.token and answer["token_type"] == "bot"
    assert answer["team"] == {"id": "T0ONE", "name": "One"} and answer["enterprise"] is None
    assert answer["is_enterprise_install"] is False and answer["authed_user"] == {"id": "U0ADMIN"}
    with pytest.raises(SlackApiError, match="invalid_code"):  # a code is good once
        anonymous.oauth_v2_access(client_id=fake.client_id, client_secret=fake.client_secret, code="code-1")
    fake.grant("code-2", team="T0ONE")
    with pytest.raises(SlackApiError, match="bad_client_secret"):
        anonymous.oauth_v2_access(client_id=fake.client_id, client_secret="guess", code="code-2")

    bot = WebClient(token=grant.token, base_url=fake.base_url)
    assert bot.auth_test()["team_id"] == "T0ONE"
    bot.chat_postMessage(channel="C0ONE", text="hi")
    [post] = fake.calls_to("chat.postMessage")
    assert fake.token_of(post) == grant.token
    fake.revoke(team="T0ONE")
    with pytest.raises(SlackApiError, match="token_revoked"):
        bot.chat_postMessage(channel="C0ONE", text="hi again")


def test_an_org_wide_grant_names_the_org_and_no_team(fake: FakeSlack) -> None:
    grant = fake.grant("code-org", team=None, enterprise="E0ORG")
    answer = WebClient(base_url=fake.base_url).oauth_v2_access(
        client_id=fake.client_id, client_secret=fake.client_secret, code="code-org"
    )
    assert answer["team"] is None and answer["enterprise"] == {"id": "E0ORG", "name": "Acme Holdings"}
    assert answer["is_enterprise_install"] is True and answer["access_token"] == grant.token
    assert WebClient(token=grant.token, base_url=fake.base_url).auth_test()["enterprise_id"] == "E0ORG"

from tests.support.slack_driver import SlackDriver, text_of


def test_meeting_logs_and_replies(driver: SlackDriver) -> None:
    reply = driver.run("/meeting", "Acme visit yesterday -- met the IT manager")
    body = text_of(reply)
    assert "Acme" in body
    assert "1.3" in body, body

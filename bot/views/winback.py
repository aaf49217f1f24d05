"""The win-back letter: a draft the rep copies and sends, and *Log as sent* under it (issue 12, part 4).

The letter is plain text (not mrkdwn) so that it is copied exactly as shown; the Japanese is polite
business Japanese for a customer, the English a natural business letter."""

from __future__ import annotations

from bot import interactions as ids
from bot.domain.winback import LastTogether
from bot.i18n import t
from bot.usecases.facts import WinbackDraft
from bot.views.blocks import (
    ONE_NAME_LIMIT,
    Block,
    Message,
    actions,
    button,
    clip_plain,
    context,
    message,
    section,
    user_text,
)

# Slack's limit on a section's text is 3,000 characters; the letter's own text is far below it.
LETTER_LIMIT = 2900

# A Japanese contact already written with a title or an honorific takes no 様 after it (山田部長, 山田様).
_JA_TITLES = (
    "様",
    "さま",
    "殿",
    "御中",
    "社長",
    "会長",
    "部長",
    "課長",
    "係長",
    "次長",
    "室長",
    "所長",
    "店長",
    "専務",
    "常務",
    "取締役",
    "主任",
    "理事",
    "先生",
)


def addressee(contact: str, locale: str) -> str:
    """The contact as the letter names them: in Japanese with 様, unless a title or honorific ends it."""
    if locale == "ja" and not contact.endswith(_JA_TITLES):
        return f"{contact}様"
    return contact


def month_text(last: LastTogether, locale: str) -> str:
    return t(locale, "winback_month", year=last.on.year, month_name=t(locale, f"month_{last.on.month}"))


def letter_text(draft: WinbackDraft, locale: str) -> str:
    """The letter itself: addressee, greeting, the last thing done together, the ask, the closing."""
    account = draft.account
    contact = (account.contact or "").strip()
    to = (
        t(locale, "winback_to_contact", account=account.name, contact=addressee(contact, locale))
        if contact
        else t(locale, "winback_to_team", account=account.name)
    )
    last = draft.last
    recalled = (
        t(locale, f"winback_last_{last.kind.value}", month=month_text(last, locale))
        if last is not None
        else t(locale, "winback_last_none")
    )
    paragraphs = [to, "\n".join([t(locale, "winback_opening"), recalled, t(locale, "winback_body")])]
    paragraphs.append(t(locale, "winback_closing"))
    return "\n\n".join(paragraphs)


def draft_message(draft: WinbackDraft, locale: str) -> Message:
    """The draft, ephemeral: a title, the letter in plain text (copied as shown), *Log as sent*."""
    name = user_text(draft.account.name, ONE_NAME_LIMIT)
    title = t(locale, "winback_title", account=name)
    letter: Block = {
        "type": "section",
        "text": {"type": "plain_text", "text": clip_plain(letter_text(draft, locale), LETTER_LIMIT)},
    }
    sent = ids.winback_sent_value(draft.account.id, draft.draft_key)
    blocks = [
        section(title),
        letter,
        context(t(locale, "winback_sent_hint")),
        actions(
            button(t(locale, "button_log_letter_sent"), ids.WINBACK_SENT, sent, style="primary"),
            block_id=ids.WINBACK_ACTIONS,
        ),
    ]
    return message(title, blocks)


def draft_button(account_id: int, locale: str) -> Block:
    return button(t(locale, "button_draft_winback"), ids.DRAFT_WINBACK, str(account_id))

"""Real messages as members' mail clients send them, for the inbound tests: the
answer on top and the quoted notification below, in the styles of Gmail, Outlook
and Apple Mail, plain or HTML-only, with or without attachments."""

import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

_numbers = itertools.count(1)

QUOTED = "Try descaling the machine, then run two cycles of water."


def gmail_text(answer: str) -> str:
    return (
        f"{answer}\n\nOn Mon, 7 Dec 2026 at 10:00, Relais <community@example.com> wrote:\n"
        f"> {QUOTED}\n>\n> Reply to this e-mail to answer on the thread.\n"
    )


def outlook_text(answer: str) -> str:
    return (
        f"{answer}\n\n________________________________\nFrom: Relais <community@example.com>\n"
        "Sent: Monday, December 7, 2026 10:00 AM\nTo: anna@example.com\n"
        f"Subject: Re: The espresso machine leaks water\n\n{QUOTED}\n"
    )


def apple_text(answer: str) -> str:
    return (
        f"{answer}\n\nSent from my iPhone\n\n"
        "> On 7 Dec 2026, at 10:00, Relais <community@example.com> wrote:\n>\n"
        f"> {QUOTED}\n"
    )


def french_text(answer: str) -> str:
    return (
        f"{answer}\n\nLe lun. 7 déc. 2026 à 10:00, Relais <community@example.com> a écrit :\n"
        f"> {QUOTED}\n"
    )


def gmail_html(answer: str) -> str:
    return (
        f'<div dir="ltr"><p>{answer}</p></div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">On Mon, 7 Dec 2026 at 10:00, Relais wrote:<br></div>'
        f'<blockquote class="gmail_quote">{QUOTED}</blockquote></div>'
    )


def outlook_html(answer: str) -> str:
    return (
        f'<html><body><div style="font-family:Calibri">{answer}</div>'
        '<div id="appendonsend"></div><hr style="display:inline-block;width:98%">'
        '<div id="divRplyFwdMsg"><b>From:</b> Relais &lt;community@example.com&gt;<br>'
        "<b>Sent:</b> Monday, December 7, 2026 10:00</div>"
        f"<div>{QUOTED}</div></body></html>"
    )


def message(
    *,
    sender: str,
    to: str,
    text: str | None = None,
    html: str | None = None,
    subject: str = "Re: [Relais] An official reply to “The espresso machine leaks water”",
    message_id: str | None = None,
    headers: dict | None = None,
    attachments: int = 0,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(f"m{next(_numbers)}", "mail.example.org")
    for name, value in (headers or {}).items():
        mail[name] = value
    if text is not None:
        mail.set_content(text)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    elif html is not None:
        mail.set_content(html, subtype="html")
    for number in range(attachments):
        mail.add_attachment(
            b"\x89PNG\r\n\x1a\n" + bytes(64),
            maintype="image",
            subtype="png",
            filename=f"photo{number}.png",
        )
    return bytes(mail)


def bounce(*, to: str, failed: str) -> bytes:
    """A delivery status notification (RFC 3464), as an MTA sends one."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid('bounce', 'mx.example.org')}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
        f"Your message to <{failed}> could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b1--\r\n"
    ).encode()

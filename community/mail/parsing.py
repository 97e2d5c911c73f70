"""Reading a message that came back: who sent it, to which addresses, what kind of
message it is, and the text the member wrote above the quoted conversation."""

import email.parser
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from bs4 import BeautifulSoup
from mailparser_reply import EmailReplyParser

# The languages whose "On … wrote:" lines and signatures the reply parser knows
# to cut: the site's two, and the few others customers' mail clients commonly use.
QUOTE_LANGUAGES = ["en", "fr", "de", "es", "it", "nl"]

# Subjects of out-of-office replies from clients that set no header saying so.
AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(auto(matic)?\s*(reply|response)|out of (the )?office|autoreply|"
    r"r[ée]ponse automatique|absence|abwesenheit|automatische antwort)\b",
    re.IGNORECASE,
)

# Quoted history in HTML mail, by client: Gmail, Apple Mail and Thunderbird, Outlook.
HTML_QUOTE_SELECTORS = [
    ".gmail_quote",
    ".gmail_signature",
    "blockquote",
    ".moz-cite-prefix",
    "#divRplyFwdMsg",
    "#appendonsend",
    "#Signature",
]
BLOCK_ELEMENTS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    recipients: list[str]
    subject: str
    text: str = ""
    attachments: int = 0
    automatic: bool = False
    bounce: bool = False
    headers_only: bool = False


def _address(value) -> str:
    addresses = _addresses(value)
    return addresses[0] if addresses else ""


def _addresses(value) -> list[str]:
    try:
        pairs = getaddresses([str(value or "")])
    except Exception:  # a header too broken to read names no one
        return []
    return [pair[1].strip().lower() for pair in pairs if "@" in pair[1]]


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "") or "").split())
    except Exception:  # undecodable: as if absent
        return ""


def message_id_of(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or a digest of the bytes for a message without one (the same
    message delivered twice is still recognised)."""
    value = _header(message, "Message-ID").strip()
    if value:
        return value[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _is_automatic(message: EmailMessage) -> bool:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(message, "Precedence").lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if any(_header(message, name) for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse")):
        return True
    if _header(message, "X-Auto-Response-Suppress").lower() in {"all", "oof", "autoreply"}:
        return True
    return bool(AUTOMATIC_SUBJECT.match(_header(message, "Subject")))


def _is_bounce(message: EmailMessage, envelope_sender: str | None) -> bool:
    if envelope_sender is not None and envelope_sender.strip("<> ") == "":
        return True  # the null sender: only delivery reports use it
    if message.get_content_type() == "multipart/report":
        return True
    local_part = _address(message.get("From")).split("@")[0]
    return local_part in {"mailer-daemon", "postmaster"}


def html_to_text(html: str) -> str:
    """The text of an HTML message without its quoted history: paragraphs and line
    breaks kept, links written out."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "head", "title"]):
        element.decompose()
    for selector in HTML_QUOTE_SELECTORS:
        for element in soup.select(selector):
            if selector in ("#divRplyFwdMsg", "#appendonsend"):
                # Outlook puts the quoted message after this marker, not inside it.
                for sibling in list(element.find_next_siblings()):
                    sibling.decompose()
            element.decompose()
    for link in soup.find_all("a"):
        href, label = link.get("href", ""), link.get_text()
        if href.startswith(("http://", "https://")) and href != label.strip():
            link.replace_with(f"{label} ({href})")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for element in soup.find_all(BLOCK_ELEMENTS):
        element.insert_after("\n\n")
    text = soup.get_text()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n")


def reply_text(text: str) -> str:
    """What the member wrote: the text above the quoted conversation, without the
    signature."""
    if not text.strip():
        return ""
    replies = EmailReplyParser(languages=QUOTE_LANGUAGES).read(text).replies
    latest = replies[0].body if replies else text
    # A line of ">" quotes left at the end (a client that quotes with no header).
    lines = latest.rstrip().splitlines()
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    return "\n".join(lines).strip()


def _attachment_count(message: EmailMessage, body) -> int:
    count = 0
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            count += 1
        elif part.get_content_maintype() not in ("text", "message"):
            count += 1  # an inline image without a name
    return count


def parse_mail(
    raw: bytes,
    *,
    envelope_recipients=(),
    envelope_sender: str | None = None,
    headers_only: bool = False,
) -> ParsedMail:
    """Read a message; with `headers_only` (a message too large to read) only who,
    to whom and what kind of message."""
    parser = email.parser.BytesParser(_class=EmailMessage, policy=email.policy.default)
    message = parser.parsebytes(raw, headersonly=headers_only)
    recipients = [address.lower() for address in envelope_recipients]
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        for value in message.get_all(name, []):
            recipients += _addresses(value)
    parsed = ParsedMail(
        message_id=message_id_of(message, raw),
        # From, the address the member is known by (never Reply-To, which anyone sets).
        sender=_address(message.get("From")),
        recipients=recipients,
        subject=_header(message, "Subject")[:200],
        automatic=_is_automatic(message),
        bounce=_is_bounce(message, envelope_sender),
        headers_only=headers_only,
    )
    if not headers_only and not parsed.automatic and not parsed.bounce:
        body = message.get_body(preferencelist=("plain", "html"))
        parsed.text = reply_text(_body_text(message))
        parsed.attachments = _attachment_count(message, body)
    return parsed

"""A local HTTP server on 127.0.0.1 with fixture RSS and Atom feeds and article pages: one
story told by two outlets, two single stories, a reprint of a story under another title, the
same article linked with tracking parameters, a 404, a slow page and a huge one."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)

# One story (a ceasefire in Geneva) in two outlets' words, as a page and as Atom content.
TALKS = (
    "Ceasefire talks between Arvandia and Belmora opened in Geneva on Monday under United "
    "Nations auspices, three days after border clashes near Rawalkot killed 26 people. "
    "The Arvandian delegation is led by foreign minister Lena Okafor, who said her government "
    "wanted a monitoring mission on the border before any agreement. "
    "Belmora's envoy Tomas Richter told reporters the talks would run for three days. "
    "The United States envoy Jane Doe urged both sides to agree on a monitoring mission and "
    "said Washington would fund half of its cost. "
    "Swiss officials said the delegations met for four hours on the first day."
)
TALKS_AP = (
    "Delegations of Arvandia and Belmora sat down in Geneva for United Nations-brokered "
    "ceasefire talks on Monday after the Rawalkot border clashes. "
    "Foreign minister Lena Okafor said Arvandia would not sign anything without monitors on "
    "the border, while Belmora's envoy Tomas Richter called the first day constructive. "
    "Jane Doe, the US envoy, offered to pay half the cost of a monitoring mission. "
    "Residents of 12 border villages have not returned home since the clashes, aid groups said. "
    "The ceasefire talks resume on Tuesday morning in Geneva."
)
PORT = (
    "Dock workers at the port of Veldhaven walked out on Sunday in a dispute over automated "
    "cranes, halting the loading of 40 container ships. "
    "The dockers' union said the strike would last until the port authority withdrew its plan "
    "to replace 300 crane operators with remote-controlled machines. "
    "The port authority said the automation plan would cut costs by 18 percent over five years "
    "and that no operator would be dismissed. "
    "Exporters of cut flowers and vegetables warned of losses of 2 million euros a day. "
    "Transport minister Pieter Aalders called both sides to talks on Wednesday. "
    "Shipping lines began diverting vessels to the port of Marlsburg on Monday evening."
)
HARVEST = (
    "Wheat farmers in the Koral plains expect the smallest harvest in 20 years after a winter "
    "without rain, the agriculture ministry said on Monday. "
    "The ministry put the crop at 1.4 million tonnes, half of last year's harvest. "
    "Agriculture minister Sara Lindqvist said the government would import wheat from April "
    "to keep bread prices stable. "
    "Farmers' associations asked for a debt moratorium for 8,000 small farms. "
    "Meteorologists at the national weather service forecast rain for the second half of "
    "March, too late for most winter wheat."
)
OLD = (
    "The Sundar central bank kept its interest rate at 4.5 percent in February, citing stable "
    "prices and a strong currency, governor Amal Haddad said after the board met. "
    "The bank expects inflation of 2.1 percent this year and growth of 3 percent. "
    "Haddad said the board would review the rate again in May."
)


def page(title: str, text: str, outlet: str) -> bytes:
    paragraphs = "".join(f"<p>{escape(s)}.</p>" for s in text.split(". ") if s)
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title>"
        f'<meta property="og:site_name" content="{escape(outlet)}">'
        f'<meta name="date" content="2026-03-09"></head>'
        f"<body><article><h1>{escape(title)}</h1>{paragraphs}</article></body></html>"
    ).encode()


def rss(base: str) -> bytes:
    def item(title: str, link: str, when: datetime, body: str = "", summary: str = "") -> str:
        content = f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded>" if body else ""
        return (
            f"<item><title>{escape(title)}</title><link>{base}{link}</link>"
            f"<guid>{base}{link}</guid><pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{escape(summary)}</description>{content}</item>"
        )

    hours = [9, 5, 3, 4, 4, 4, 8, 30 * 24]
    entries = [
        ("Ceasefire talks open in Geneva", "/talks.html", "", "Talks opened."),
        ("Dockers strike at Veldhaven over automated cranes", "/port", PORT, ""),
        ("Smallest wheat harvest in 20 years expected", "/harvest.txt", "", "Drought."),
        ("Missing story", "/missing", "", "Gone."),
        ("Slow story", "/slow", "", "Slow."),
        ("Huge story", "/huge", "", "Huge."),
        ("Wire: Arvandia and Belmora talk peace", "/reprint.html", "", "Reprint."),
        ("Central bank holds rate", "/rates", OLD, ""),  # a month old
    ]
    items = [
        item(title, link, NOW - timedelta(hours=h), body, summary)
        for (title, link, body, summary), h in zip(entries, hours, strict=True)
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Northwire</title><link>{base}/</link><description>News</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def atom(base: str) -> bytes:
    when = (NOW - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Capital Desk</title><id>{base}/atom</id><updated>{when}</updated>"
        f"<entry><title>Arvandia and Belmora hold first day of Geneva talks</title>"
        f'<link href="{base}/ap-talks"/><id>{base}/ap-talks</id><updated>{when}</updated>'
        f'<content type="html">{escape("<p>" + TALKS_AP + "</p>")}</content></entry>'
        f"<entry><title>Ceasefire talks open in Geneva (again)</title>"
        f'<link href="{base}/talks.html?utm_source=atom&amp;utm_medium=feed"/>'
        f"<id>{base}/talks-dup</id><updated>{when}</updated><summary>Dup.</summary></entry>"
        "</feed>"
    ).encode()


class FeedServer:
    def __init__(self) -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.hits.append(path)
                base = server.base_url
                if path == "/rss.xml":
                    self._send(200, rss(base), "application/rss+xml")
                elif path == "/atom.xml":
                    self._send(200, atom(base), "application/atom+xml")
                elif path == "/talks.html":
                    body = page("Ceasefire talks open in Geneva", TALKS, "Northwire")
                    self._send(200, body, "text/html; charset=utf-8")
                elif path == "/reprint.html":
                    # The wire story reprinted: another title and outlet, a dateline, cut short.
                    text = "GENEVA (Metro Ledger) - " + TALKS.rsplit(". Swiss", 1)[0] + "."
                    body = page("Arvandia and Belmora talk peace", text, "Metro Ledger")
                    self._send(200, body, "text/html; charset=utf-8")
                elif path == "/harvest.txt":
                    self._send(200, HARVEST.encode(), "text/plain; charset=utf-8")
                elif path == "/slow":
                    time.sleep(3)
                    self._send(200, page("Slow", PORT, "Slow"), "text/html")
                elif path == "/huge":
                    self._send(200, b"<html><body>" + b"<p>word </p>" * 300_000, "text/html")
                else:
                    self._send(404, b"not found", "text/plain")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

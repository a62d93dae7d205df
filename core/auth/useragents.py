"""A short, readable name for a browser from its User-Agent header (shown on the user's session list)."""

from __future__ import annotations

import re

_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("360浏览器", r"QIHU 360\w*|360SE|360EE"),
    ("QQ浏览器", r"QQBrowser/(\d+)"),
    ("微信", r"MicroMessenger/(\d+)"),
    ("Firefox", r"Firefox/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS|HeadlessChrome)/(\d+)"),
    ("Safari", r"Version/(\d+)[\d.]* .*Safari/"),
]
_SYSTEMS = [
    ("Windows", r"Windows NT"),
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad"),
    ("macOS", r"Mac OS X"),
    ("统信UOS", r"UOS"),
    ("麒麟", r"Kylin"),
    ("Linux", r"Linux|X11"),
]


def browser_label(user_agent: str) -> str:
    """E.g. "Chrome 120 · Windows"; "未知浏览器" when nothing is recognised."""
    browser = "未知浏览器"
    for name, pattern in _BROWSERS:
        found = re.search(pattern, user_agent)
        if found:
            version = found.group(1) if found.groups() and found.group(1) else ""
            browser = f"{name} {version}".strip()
            break
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    return f"{browser} · {system}" if system else browser

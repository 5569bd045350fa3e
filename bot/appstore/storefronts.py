"""The App Store's storefronts: the two-letter country codes its APIs and links accept.

Any other code gets a 400 from Apple; checking first lets a typo be answered with a usage reply
before any call is made.
"""

from __future__ import annotations

_CODES = (
    "ae af ag ai al am ao ar at au az ba bb bd be bf bg bh bj bm bn bo br bs bt bw by bz",
    "ca cd cg ch ci cl cm cn co cr cv cy cz de dk dm do dz ec ee eg es fi fj fm fr ga gb gd",
    "ge gh gm gr gt gw gy hk hn hr hu id ie il in iq is it jm jo jp ke kg kh kn kr kw ky kz",
    "la lb lc lk lr lt lu lv ly ma md me mg mk ml mm mn mo mr ms mt mu mv mw mx my mz na ne",
    "ng ni nl no np nr nz om pa pe pg ph pk pl pt pw py qa ro rs ru rw sa sb sc se sg si sk",
    "sl sn sr st sv sz tc td th tj tm tn to tr tt tw tz ua ug us uy uz vc ve vg vn vu xk ye",
    "za zm zw",
)
STOREFRONTS = frozenset(code for line in _CODES for code in line.split())


def is_storefront(code: str) -> bool:
    return code.lower() in STOREFRONTS

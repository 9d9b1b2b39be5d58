"""Synthetic personal data: Chinese names, resident ID numbers (GB 11643), mobile numbers, bank accounts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红文辉志宇浩鹏飞斌晨欣怡佳雪梅琳颖婷海峰龙波"
    "俊凯丹蕾晶晓慧子轩梓涵一诺思远嘉豪雨欣家乐博文天佑宏亮春燕国庆德福新民永安光荣淑珍凤琴金凤玉珍晓东"
)
# Province of residence, its weight, and county-level administrative codes (GB/T 2260) in it.
PROVINCES: list[tuple[str, float, tuple[int, ...]]] = [
    ("贵州省", 0.16, (520102, 520103, 520111, 520112, 520302, 520402)),
    ("广东省", 0.12, (440103, 440104, 440106, 440304, 440305, 440604)),
    ("四川省", 0.08, (510104, 510105, 510107, 510108, 510703)),
    ("河南省", 0.07, (410102, 410103, 410105, 410302)),
    ("山东省", 0.07, (370102, 370103, 370202, 370203)),
    ("江苏省", 0.07, (320102, 320104, 320205, 320506)),
    ("浙江省", 0.06, (330102, 330105, 330106, 330203)),
    ("湖北省", 0.05, (420102, 420103, 420106)),
    ("湖南省", 0.05, (430102, 430103, 430104)),
    ("云南省", 0.05, (530102, 530103, 530111)),
    ("重庆市", 0.05, (500103, 500104, 500105)),
    ("河北省", 0.04, (130102, 130104, 130202)),
    ("北京市", 0.03, (110101, 110102, 110105, 110108)),
    ("上海市", 0.03, (310101, 310104, 310105, 310115)),
    ("福建省", 0.03, (350102, 350103, 350203)),
    ("广西壮族自治区", 0.04, (450102, 450103, 450203)),
]
MOBILE_PREFIXES = np.array([*range(130, 140), *(p for p in range(150, 160) if p != 154), *range(180, 190)])
BANK_BINS = np.array([622848, 621700, 622202, 621226, 622588, 621483, 622700, 623668, 621799, 622260])
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def id_check_char(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check character (ASCII code) for rows of 17 digits (0-9 values)."""
    return ID_CHECK[(first17.astype(np.int64) @ ID_WEIGHTS) % 11]


def strings_from_chars(chars: np.ndarray, lengths: np.ndarray | None = None) -> pa.Array:
    """Rows of ASCII codes (uint8 matrix) to an Arrow string array, each row cut to its length."""
    chars = np.ascontiguousarray(chars, dtype=np.uint8)
    n, width = chars.shape
    if lengths is None:
        data, offsets = chars.tobytes(), np.arange(0, (n + 1) * width, width, dtype=np.int64)
    else:
        data = chars[np.arange(width) < lengths[:, None]].tobytes()
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)).cast(pa.string())


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as rows of ``width`` decimal digits (0-9 values)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(values, dtype=np.int64)[:, None] // powers) % 10).astype(np.uint8)


def names(rng: np.random.Generator, n: int) -> pa.Array:
    """Chinese names: a surname and one or two given-name characters."""
    surname = pa.array(SURNAMES).take(pa.array(rng.zipf(1.3, n) % len(SURNAMES)))
    given = pa.array(GIVEN)
    first = given.take(pa.array(rng.integers(0, len(GIVEN), n)))
    second_idx = rng.integers(0, len(GIVEN), n)
    second = given.take(pa.array(second_idx))
    second = pc.if_else(pa.array(rng.random(n) < 0.25), pa.scalar(""), second)
    return pc.binary_join_element_wise(surname, first, second, "")


def provinces(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Province index per person and a county code in it."""
    weights = np.array([p[1] for p in PROVINCES])
    province = rng.choice(len(PROVINCES), size=n, p=weights / weights.sum())
    counties = [np.array(p[2]) for p in PROVINCES]
    pick = rng.random(n)
    county = np.empty(n, dtype=np.int64)
    for i, codes in enumerate(counties):  # one pass per province (16), vectorised within
        rows = province == i
        county[rows] = codes[(pick[rows] * len(codes)).astype(np.int64)]
    return province, county


def id_cards(rng: np.random.Generator, county: np.ndarray, birth_day: np.ndarray, male: np.ndarray) -> pa.Array:
    """18-character resident ID numbers: county code, birth date, sequence (odd for men), check character."""
    n = county.size
    ymd = np.datetime_as_string(birth_day.astype("datetime64[D]")).astype("U10")
    birth = np.char.replace(ymd, "-", "").astype(np.int64)
    sequence = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    body = np.concatenate([digits(county, 6), digits(birth, 8), digits(sequence, 3)], axis=1)
    chars = np.concatenate([body + 48, id_check_char(body)[:, None]], axis=1).astype(np.uint8)
    return strings_from_chars(chars)


def mobiles(rng: np.random.Generator, n: int) -> pa.Array:
    """11-digit mobile numbers starting 13x, 15x or 18x."""
    prefix = MOBILE_PREFIXES[rng.integers(0, MOBILE_PREFIXES.size, n)]
    return strings_from_chars(np.concatenate([digits(prefix, 3), rng.integers(0, 10, (n, 8), dtype=np.uint8)], 1) + 48)


def bank_accounts(rng: np.random.Generator, n: int) -> pa.Array:
    """16- to 19-digit debit card numbers: bank BIN, account digits, Luhn check digit."""
    lengths = rng.choice(np.array([16, 17, 18, 19]), size=n, p=[0.25, 0.05, 0.1, 0.6])
    bins = digits(BANK_BINS[rng.integers(0, BANK_BINS.size, n)], 6)
    body = np.concatenate([bins, rng.integers(0, 10, (n, 13), dtype=np.uint8)], 1)
    from_right = (lengths[:, None].astype(np.int8) - 2) - np.arange(19, dtype=np.int8)  # 0 just left of the check digit
    doubled = np.where(from_right % 2 == 0, body * 2, body).astype(np.uint8)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    check = (10 - (np.where(from_right >= 0, doubled, 0).sum(axis=1, dtype=np.int64) % 10)) % 10
    body[np.arange(n), lengths - 1] = check
    return strings_from_chars(body + 48, lengths)

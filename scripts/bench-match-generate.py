#!/usr/bin/env python3
"""Deterministic data for the matching benchmark (issue 12 §7): N house sales against N deed-tax payments.

    scripts/bench-match-generate.py --rows 1000000 --out bench-data/match-1000000 [--seed 20240301]

Writes into OUT:
  HOU-001.csv    N sales (房产交易信息, 交易类型 买卖), contract dates in March 2024, one distinct buyer each
                 (valid 18-digit resident IDs); the catalog's Chinese headers, UTF-8 with BOM, CRLF.
  LTS-009.csv    N deed-tax payments (契税征收信息): for 95 % of the sales a payment by the buyer within 0-90
                 days of the contract at the contract price; the other 5 % are the planted leads, in equal
                 thirds: no payment at all (no_match), a payment 120-200 days after (out_of_window), a
                 payment in time declaring 80 % of the price (underpaid); the rest of the N rows are
                 payments by people who bought nothing in the file.
  expected.txt   the planted leads per kind: what the `deed-tax` rule must find, no more, no less.
Standard library only.
"""

import argparse
import datetime as dt
import os
import random

LEFT = ["合同编号", "房屋坐落", "房屋用途", "建筑面积（平方米）", "成交价格（元）", "交易类型", "合同签订日期",
        "买方姓名", "买方证件类型", "买方证件号码", "卖方姓名", "卖方证件类型", "卖方证件号码", "信息属地"]
RIGHT = ["纳税人名称", "纳税人身份证号码", "纳税人统一社会信用代码", "完税凭证号", "土地房屋坐落", "权属转移对象",
         "权属转移方式", "面积（平方米）", "成交价格（元）", "适用税率（%）", "实缴税额（元）", "合同签订日期", "完税日期", "信息属地"]
W_ID = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
BIRTH0 = dt.date(1950, 1, 1)
MARCH = dt.date(2024, 3, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉萍鹏辉玲红梅"


def resident_id(prefix: str, n: int) -> str:
    """The n-th distinct resident ID of `prefix`: birth date and sequence number from n, with its check."""
    birth = BIRTH0 + dt.timedelta(days=n // 999)
    body = f"{prefix}{birth:%Y%m%d}{n % 999 + 1:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, W_ID)) % 11]


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240301)
    args = ap.parse_args()
    n, rng = args.rows, random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    planted = {"no_match": 0, "out_of_window": 0, "underpaid": 0}
    right_rows = 0
    with open(os.path.join(args.out, "HOU-001.csv"), "w", encoding="utf-8-sig", newline="") as left, \
            open(os.path.join(args.out, "LTS-009.csv"), "w", encoding="utf-8-sig", newline="") as right:
        left.write(",".join(LEFT) + "\r\n")
        right.write(",".join(RIGHT) + "\r\n")
        for i in range(n):
            buyer = resident_id("321002", i)
            contract = MARCH + dt.timedelta(days=rng.randrange(31))
            price = rng.randrange(300, 3000) * 1000
            address = f"运河南路{i // 100 + 1}号{i % 100 + 1}室"
            who = name(rng)
            left.write(f"HT{i:08d},{address},住宅,{rng.randrange(50, 200)},{price},买卖,{contract},{who},居民身份证,"
                       f"{buyer},{name(rng)},居民身份证,{resident_id('321003', i)},321002\r\n")
            slot = i % 60  # 3 of every 60 sales (5 %) are planted leads
            if slot == 0:
                planted["no_match"] += 1
                continue
            if slot == 1:
                planted["out_of_window"] += 1
                paid, declared = contract + dt.timedelta(days=rng.randrange(120, 201)), price
            elif slot == 2:
                planted["underpaid"] += 1
                paid, declared = contract + dt.timedelta(days=rng.randrange(0, 91)), price * 8 // 10
            else:
                paid, declared = contract + dt.timedelta(days=rng.randrange(0, 91)), price
            right.write(f"{who},{buyer},,PZ{i:010d},{address},房屋,买卖,100,{declared},3,{declared * 3 // 100},"
                        f"{contract},{paid},321002\r\n")
            right_rows += 1
        for j in range(n - right_rows):  # payments by people who bought nothing in the file
            paid = MARCH + dt.timedelta(days=rng.randrange(120))
            declared = rng.randrange(300, 3000) * 1000
            right.write(f"{name(rng)},{resident_id('321012', j)},,PY{j:010d},文昌中路{j + 1}号,房屋,买卖,100,{declared},3,"
                        f"{declared * 3 // 100},{paid - dt.timedelta(days=10)},{paid},321012\r\n")
    with open(os.path.join(args.out, "expected.txt"), "w") as out:
        for kind, count in planted.items():
            out.write(f"{kind} {count}\n")
        out.write(f"total {sum(planted.values())}\n")


if __name__ == "__main__":
    main()

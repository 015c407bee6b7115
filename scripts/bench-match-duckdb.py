#!/usr/bin/env python3
"""The DuckDB peer of the matching benchmark: the `deed-tax` rule's leads over the same two CSV files.

    bench-match-duckdb.py DATA_DIR

Loads HOU-001.csv and LTS-009.csv into an in-memory DuckDB (all text, as the platform stores values), then
materialises the leads the rule defines: a sale (交易类型 买卖) whose buyer has no deed-tax payment at all
(no_match), only payments outside 0-90 days after the contract (out_of_window), or only in-window payments
declaring more than 5 % below the contract price (underpaid), with the estimate of 3 % of the price (of the
shortfall when underpaid). Prints one JSON object: seconds to load, seconds for the leads, leads per kind.
The identifiers are compared as they are (upper-cased): the files hold canonical 18-digit IDs, where the
platform also joins a 15-digit ID to its 18-digit form.
"""

import json
import sys
import time

import duckdb

LEFT = ["contract_no", "property_address", "usage", "building_area", "price", "transfer_type", "contract_date",
        "buyer_name", "buyer_id_type", "buyer_id_no", "seller_name", "seller_id_type", "seller_id_no", "division_code"]
RIGHT = ["taxpayer_name", "taxpayer_id_no", "taxpayer_org_id", "ticket_no", "location", "object", "transfer_type",
         "area", "price", "tax_rate", "tax_paid", "contract_date", "paid_date", "division_code"]

data = sys.argv[1]
db = duckdb.connect()
started = time.perf_counter()
for table, path, names in (("sales", "HOU-001.csv", LEFT), ("deed_tax", "LTS-009.csv", RIGHT)):
    db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, all_varchar = true, names = ?)",
               [f"{data}/{path}", names])
loaded = time.perf_counter()
db.execute("""
CREATE TABLE leads AS
WITH l AS (
  SELECT contract_no, upper(buyer_id_no) AS id, CAST(contract_date AS DATE) AS d, CAST(price AS DOUBLE) AS p
  FROM sales WHERE transfer_type = '买卖' AND buyer_id_no IS NOT NULL),
r AS (SELECT upper(taxpayer_id_no) AS id, CAST(paid_date AS DATE) AS d, CAST(price AS DOUBLE) AS p
      FROM deed_tax WHERE taxpayer_id_no IS NOT NULL),
per_sale AS (
  SELECT l.contract_no, l.p,
         count(r.id) AS matched,
         count(r.id) FILTER (WHERE r.d - l.d BETWEEN 0 AND 90) AS in_window,
         count(r.id) FILTER (WHERE r.d - l.d BETWEEN 0 AND 90 AND r.p >= l.p * 0.95) AS in_full,
         max(r.p) FILTER (WHERE r.d - l.d BETWEEN 0 AND 90) AS paid
  FROM l LEFT JOIN r ON r.id = l.id
  GROUP BY l.contract_no, l.p)
SELECT contract_no,
       CASE WHEN matched = 0 THEN 'no_match' WHEN in_window = 0 THEN 'out_of_window' ELSE 'underpaid' END AS kind,
       CAST(round(CASE WHEN matched > 0 AND in_window > 0 THEN p - paid ELSE p END * 0.03 * 100) AS BIGINT) AS estimated_tax_fen
FROM per_sale WHERE matched = 0 OR in_window = 0 OR in_full = 0
""")
done = time.perf_counter()
kinds = dict(db.execute("SELECT kind, count(*) FROM leads GROUP BY kind").fetchall())
print(json.dumps({"load_seconds": round(loaded - started, 2), "match_seconds": round(done - loaded, 2),
                  "leads": kinds, "duckdb": duckdb.__version__}))

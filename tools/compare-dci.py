#!/usr/bin/env python3
"""Asks two Lumbung servers the same DCI searches and compares their answers byte for byte
(the message time, the search times and the correlation id aside): a change to the search
path must answer exactly as the binary before it.

  tools/compare-dci.py URL_A URL_B TOKEN NIKS DESA_SAMPLE

URL_A and URL_B serve the same store (say main's binary and a new one, both on a copy);
NIKS and DESA_SAMPLE are the lists tools/bench-http.sh makes (niks.txt, desa-sample.txt).
Each search is asked twice (the second asking reads what the server kept for the store
generation). Prints each difference and a summary; exits 1 if any answer differs.
"""
import json, random, re, sys, urllib.request

url_a, url_b, token, nik_file, desa_file = sys.argv[1:6]
niks = [line.strip() for line in open(nik_file) if line.strip()]
desa = [line.strip() for line in open(desa_file) if line.strip()]
rng = random.Random(15)


def message(criteria):
    return {"signature": "", "header": {"version": "1.0.0", "message_id": "1", "message_ts": "2026-11-23T10:00:00Z",
            "action": "search", "sender_id": "compare", "receiver_id": "lumbung", "total_count": 1, "is_msg_encrypted": False},
            "message": {"transaction_id": "1", "search_request": [{"reference_id": "1", "timestamp": "2026-11-23T10:00:00Z",
                                                                   "search_criteria": criteria}]}}


def expression(query, entity="Group", sort=None, page=(50, 1)):
    criteria = {"version": "1.0.0", "query_type": "expression", "response_entity": entity,
                "query": {"type": "ns:org:QueryType:NoSql", "value": {"expression": {"collection": entity, "query": query}}},
                "pagination": {"page_size": page[0], "page_number": page[1]}}
    if sort:
        criteria["sort"] = [{"attribute_name": name, "sort_order": order} for name, order in sort]
    return message(criteria)


bodies = []
for nik in rng.sample(niks, 20):
    for entity in ("Group", "Member"):
        bodies.append(message({"version": "1.0.0", "query_type": "idtype-value", "response_entity": entity,
                               "query": {"type": "NIK", "value": nik}}))
members = [{"age": {"$lt": 6}}, {"age": {"$ge": 60}}, {"sex": "female", "age": {"$ge": 15, "$le": 49}},
           {"household_size": {"$ge": 5}}, {"disability": "yes"}]
household = [{"desil": {"$le": 4}}, {"desil": {"$le": 3}}, {"status": "usulan"}, {"program": "PKH"}, {}]
for round in range(14):
    code = rng.choice(desa)
    kecamatan, kabupaten = code[:8], code[:5]
    region = rng.choice([code, kecamatan, kecamatan, kabupaten if round % 5 == 0 else kecamatan])
    page = rng.choice([(50, 1), (20, 1), (50, 3)])
    entity = rng.choice(["Group", "Member"])
    # "anak" and other member searches, unsorted (the page in the desil, status or program order)
    query = {"wilayah": region, **rng.choice(household), **rng.choice(members)}
    bodies.append(expression(query, entity, page=page))
    bodies.append(expression({"wilayah": region, "desil": {"$le": 4}, "age": {"$lt": 6}}, entity, page=page))
    bodies.append(expression({"$and": [{"wilayah": region}, {"$or": [{"desil": {"$le": 2}}, {"program": "PKH"}]}, rng.choice(members)]},
                             entity, page=page))
    bodies.append(expression(query, entity, sort=[("poverty_score", "asc")], page=page))
    # kecamatan by KK, whole or with conditions; desa pages
    bodies.append(expression({"wilayah": kecamatan}, sort=[("kk", rng.choice(["asc", "desc"]))], page=page))
    bodies.append(expression({"wilayah": kecamatan, **rng.choice(household)}, sort=[("kk", "asc")], page=page))
    bodies.append(expression({"wilayah": kecamatan, "age": {"$lt": 6}}, sort=[("kk", "desc")], page=page))
    bodies.append(expression({"wilayah": code, "desil": {"$le": 3}}, page=(20, page[1])))
    bodies.append(expression({"wilayah": code}, sort=[("kk", "asc")], page=page))
    bodies.append(expression({"wilayah": code, **rng.choice(members)}, "Member", page=page))
# Requests the decoder must refuse or read as before.
raw = [b"", b"[]", b"null", b"{", b'{"header": null, "message": {}}', b'{"header": {}, "message": []}',
       b'{"header": {"version": "1.0.0"}}', json.dumps(message({"query_type": "expression"})).encode(),
       '{"header": {"version": "1.0.0", "message_id": "\\u00e9\\ud83c\\udf3e", "message_ts": "x", "action": "search"}, "message": {}}'.encode()]


def ask(url, body):
    request = urllib.request.Request(url + "/registry/sync/search", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            status, data = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    return status, re.sub(rb'"(message_ts|timestamp|correlation_id|instance|request_id)":"[^"]*"', rb'"\1":"-"', data)


differ = same = 0
for body in [json.dumps(b).encode() for b in bodies] + raw:
    for _ in range(2):
        a, b = ask(url_a, body), ask(url_b, body)
        if a == b:
            same += 1
        else:
            differ += 1
            print("DIFFERS:", body[:300], "\n  A:", a[0], a[1][:300], "\n  B:", b[0], b[1][:300])
print(f"{same} answers identical, {differ} different ({len(bodies)} searches and {len(raw)} malformed requests, each asked twice)")
sys.exit(1 if differ else 0)

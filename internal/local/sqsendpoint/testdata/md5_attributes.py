"""Regenerates md5_attributes.json: MD5OfMessageAttributes vectors computed
outside this project.

Two sources, both independent of sqsgate:
- "aws": digests Amazon SQS itself returned, as recorded in LocalStack's
  AWS-validated snapshot tests/aws/services/sqs/test_sqs.snapshot.json
  (github.com/localstack/localstack): the MD5OfMessageAttributes of
  test_receive_message_message_attribute_names_filters,
  test_send_message_with_binary_attributes and
  test_dead_letter_queue_message_attributes.
- "moto": moto's implementation (moto.sqs.models.Message.attribute_md5),
  run here for the data types AWS's recordings do not cover.
Every "aws" vector is also recomputed with moto and must agree.

Run with the pyenv python that has moto: python3 md5_attributes.py
"""
import base64
import json

import moto
from moto.sqs.models import Message


def s(v, t="String"):
    return {"DataType": t, "StringValue": v}


def b(v, t="Binary"):
    return {"DataType": t, "BinaryValue": v}


AWS = [
    ("three strings", {"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")}, "4c360f3fdafd970e05fae2f149d997f5"),
    ("two strings", {"Hello": s("There"), "General": s("Kenobi")}, "fca026605781cb4126a1e9044df24232"),
    ("one string", {"Hello": s("There")}, "a311262e065454b75da111d535b8dacd"),
    ("prefix selection", {"Hello": s("There"), "Help.Me": s("Me")}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
    ("binary", {"attr1": b(b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01")}, "8cbe4db156db8a94db8b801b7addb984"),
    ("dead-letter string", {"MyAttribute": s("foobar")}, "adb59cd4678ea5a855436b949cd07ab6"),
]

MOTO = [
    ("number", {"count": s("42", "Number")}),
    ("custom string type", {"custom.thing": s("c", "String.custom")}),
    ("custom binary type", {"blob": b(b"\x00\x01\x02\xff", "Binary.png")}),
    ("unicode name order and value", {"z": s("wörld"), "a": s("ünïcode"), "M": s("42.5", "Number")}),
    ("conformance send and receive", {
        "provider": s("github"), "count": s("42", "Number"), "blob": b(b"\x00\x01\x02\xff"), "custom.thing": s("c", "String.custom"),
    }),
    ("query protocol one string", {"k": s("v")}),
    ("cli string and number", {"provider": s("github"), "n": s("7", "Number")}),
    ("webhook attributes", {
        "provider": s("github"), "event": s("push"), "delivery_id": s("9a1f0c6e-c76b-11ef-8a3e-1f2b3c4d5e6f"),
        "received_at": s("2026-01-02T03:04:05Z"), "content_type": s("application/json"),
    }),
]


def md5(attrs):
    m = Message("id", "body")
    m.message_attributes = attrs
    return m.attribute_md5


def wire(attrs):
    out = {}
    for name, a in attrs.items():
        v = {"DataType": a["DataType"]}
        if "StringValue" in a:
            v["StringValue"] = a["StringValue"]
        else:
            v["BinaryValue"] = base64.b64encode(a["BinaryValue"]).decode()
        out[name] = v
    return out


vectors = []
for name, attrs, want in AWS:
    got = md5(attrs)
    assert got == want, (name, got, want)
    vectors.append({"name": name, "source": "aws", "attributes": wire(attrs), "md5": want})
for name, attrs in MOTO:
    vectors.append({"name": name, "source": "moto " + moto.__version__, "attributes": wire(attrs), "md5": md5(attrs)})

with open("md5_attributes.json", "w") as f:
    json.dump({"generated_by": "md5_attributes.py (see its docstring for the sources)", "vectors": vectors}, f, indent=1, ensure_ascii=False)
    f.write("\n")

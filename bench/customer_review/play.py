"""Say one staff line in a review drill: python3 play.py NAME "staff line" (empty line: just start and see the
opening). Prints the customer's reply; '[演练结束]' when the customer has ended the conversation."""

import json
import sys
import urllib.request

name, text = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
request = urllib.request.Request(
    "http://127.0.0.1:8765/",
    data=json.dumps({"name": name, "text": text}).encode(),
    headers={"Content-Type": "application/json"},
)
try:
    reply = json.loads(urllib.request.urlopen(request, timeout=60).read())
except urllib.error.HTTPError as exc:
    reply = json.loads(exc.read())
if "error" in reply:
    print("错误:", reply["error"])
else:
    print("客户:", reply["customer"])
    if reply.get("done"):
        print("[演练结束]")

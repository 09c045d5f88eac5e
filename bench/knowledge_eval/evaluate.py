"""Ask every question of questions.tsv in each search mode through a running prax and print
recall@5 and MRR (a question's answer is any passage of its document under its heading).

Usage: evaluate.py URL KEY COLLECTION QUESTIONS_TSV
Prints one line per mode: MODE recall@5 MRR
"""

import csv
import json
import sys
import urllib.request


def search(url, key, collection, query, mode):
    request = urllib.request.Request(
        f"{url}/api/v1/knowledge/collections/{collection}/search",
        data=json.dumps({"query": query, "top_k": 10, "mode": mode}).encode(),
        headers={"content-type": "application/json", "x-api-key": key},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["passages"]


def main():
    url, key, collection, path = sys.argv[1:5]
    with open(path, newline="") as file:
        questions = list(csv.DictReader(file, delimiter="\t"))
    for mode in ("lexical", "vector", "hybrid"):
        found_in_5, reciprocal = 0, 0.0
        for q in questions:
            passages = search(url, key, collection, q["question"], mode)
            rank = next((i + 1 for i, p in enumerate(passages)
                         if p["document"] == q["document"]
                         and p["heading_path"] and p["heading_path"][-1] == q["heading"]), None)
            if rank is not None:
                reciprocal += 1.0 / rank
                found_in_5 += rank <= 5
        print(f"{mode} {found_in_5 / len(questions):.3f} {reciprocal / len(questions):.3f}")


if __name__ == "__main__":
    main()

"""Chroma on the same vectors as bench/knowledge.sh measures prax on (written there by
`knowledge-bench dump`): build time, one-client top-10 latency with recall@10 against exact
search, eight clients at once, and resident memory over the raw f32 vectors. In-process
(`chromadb.PersistentClient`), the way Chroma is fastest; hnsw M 16, construction ef 128,
search ef as given.

Usage: knowledge_chroma.py DIR DIM QUERIES CHECKED EF CLIENTS SECONDS
Prints: build_seconds p50_ms p99_ms recall memory_ratio queries_per_second
"""

import os
import resource
import sys
import tempfile
import threading
import time

import numpy as np
import chromadb


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    folder, dim, queries, checked, ef, clients, seconds = sys.argv[1:8]
    dim, queries, checked, ef = int(dim), int(queries), int(checked), int(ef)
    clients, seconds = int(clients), float(seconds)
    passages = np.fromfile(os.path.join(folder, "passages.f32"), dtype="<f4").reshape(-1, dim)
    asked = np.fromfile(os.path.join(folder, "queries.f32"), dtype="<f4").reshape(-1, dim)
    truth = np.fromfile(os.path.join(folder, "truth.u32"), dtype="<u4").reshape(-1, 10)
    raw = passages.nbytes
    store = tempfile.mkdtemp(prefix="chroma-bench-")
    client = chromadb.PersistentClient(path=store)
    collection = client.create_collection(
        "bench",
        configuration={"hnsw": {"space": "cosine", "max_neighbors": 16,
                                "ef_construction": 128, "ef_search": ef}},
    )
    before = rss_bytes()
    started = time.perf_counter()
    batch = 5000
    for start in range(0, len(passages), batch):
        part = passages[start:start + batch]
        collection.add(ids=[str(i) for i in range(start, start + len(part))], embeddings=part)
    build = time.perf_counter() - started
    for q in range(50):
        collection.query(query_embeddings=asked[q:q + 1], n_results=10, include=[])
    times, recalls = [], []
    for q in range(queries):
        started = time.perf_counter()
        found = collection.query(query_embeddings=asked[q:q + 1], n_results=10, include=[])
        times.append((time.perf_counter() - started) * 1000.0)
        if q < checked:
            got = {int(i) for i in found["ids"][0]}
            recalls.append(len(got & set(truth[q].tolist())) / 10.0)
    times.sort()
    pick = lambda p: times[round((len(times) - 1) * p)]
    memory = (rss_bytes() - before) / raw
    done = [0] * clients
    deadline = time.perf_counter() + seconds

    def load(n):
        q = n
        while time.perf_counter() < deadline:
            collection.query(query_embeddings=asked[q % len(asked):q % len(asked) + 1],
                             n_results=10, include=[])
            done[n] += 1
            q += clients

    threads = [threading.Thread(target=load, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{build:.1f} {pick(0.5):.3f} {pick(0.99):.3f} {sum(recalls) / len(recalls):.3f} "
          f"{memory:.2f} {sum(done) / seconds:.0f}")


if __name__ == "__main__":
    main()

"""Benchmark search.analysis.analyse(): throughput with a cold and a warm stem cache.

    python bench/stemmer.py [--words 20000] [--runs 5]

Text: the Markdown files in fixtures/content/ concatenated (repeated up to --words),
or a built-in sample when there are none. Prints figures only; asserts nothing.
Progress goes to stderr so the figures on stdout stay clean.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import analysis  # noqa: E402

CONTENT_DIR = ROOT / "fixtures" / "content"

# Fallback sample, written for this benchmark: typical wording of a visit report.
SAMPLE = """
Tim Inteldakim Kanwil Sumsel melakukan studi tiru ke Kanwil Kalbar untuk mempelajari
penanganan perkara keimigrasian pro justisia. Dalam pemeriksaan saksi, penyidik PPNS
sering terkendala ketersediaan penerjemah tersumpah, sehingga berkas perkara
dikembalikan oleh JPU (P-19) dengan petunjuk agar keterangan ahli bahasa dilengkapi.
Setelah koordinasi dengan Korwas PPNS dan kejaksaan negeri, berkas dinyatakan lengkap
(P21) dan dilaksanakan Tahap II: penyerahan tersangka dan barang bukti. Tersangka,
seorang WNA pemegang KITAS, disangka melanggar Pasal 122 huruf a UU Nomor 6 Tahun 2011
tentang Keimigrasian karena bekerja tidak sesuai dengan izin tinggalnya. Selama
penyidikan tersangka ditahan di Rudenim karena rutan setempat penuh. Penjamin dari
perusahaan tidak kooperatif dan keberadaan saksi lain sudah di luar negeri.
Rekomendasi: SPDP dikirim melalui Korwas paling lambat tujuh hari setelah penyidikan
dimulai, pemberkasan memuat terjemahan dokumen, dan pengawasan orang asing oleh
Timpora di wilayah perbatasan PLBN Entikong ditingkatkan.
"""


def load_text(target_words: int) -> tuple[str, str]:
    files = sorted(CONTENT_DIR.glob("**/*.md")) if CONTENT_DIR.is_dir() else []
    source = f"{len(files)} Markdown files in {CONTENT_DIR}"
    base = "\n\n".join(f.read_text(encoding="utf-8") for f in files)
    if not base.split():
        base, source = SAMPLE, "built-in sample (no fixtures/content/*.md yet)"
    words = base.split()
    repeats = -(-target_words // len(words))  # ceiling
    text = " ".join((words * repeats)[:target_words])
    return text, f"{source}, {len(words)} words, repeated x{repeats}"


def chunks(text: str, size: int = 500) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def timed_run(parts: list[str], label: str) -> float:
    start = time.perf_counter()
    step = max(1, len(parts) // 10)
    for n, part in enumerate(parts, 1):
        analysis.analyse(part)
        if n % step == 0 or n == len(parts):
            print(f"\r  {label}: {100 * n // len(parts):3d}%", end="", file=sys.stderr)
    print(file=sys.stderr)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    text, source = load_text(args.words)
    parts = chunks(text)
    n_words = len(text.split())

    start = time.perf_counter()
    analysis.data()
    analysis._sastrawi()  # one-off: reads Sastrawi's ~30k-word dictionary
    load_s = time.perf_counter() - start

    cold, warm = [], []
    for run in range(1, args.runs + 1):
        analysis.stem.cache_clear()
        cold.append(timed_run(parts, f"run {run}/{args.runs} cold"))
        warm.append(timed_run(parts, f"run {run}/{args.runs} warm"))

    all_tokens = analysis.tokens(analysis.normalise_codes(text))
    vocabulary = sorted(set(all_tokens))
    # Cost of one uncached stem() per distinct token, i.e. mostly Sastrawi itself.
    per_word = []
    for _ in range(args.runs):
        analysis.stem.cache_clear()
        start = time.perf_counter()
        for token in vocabulary:
            analysis.stem(token)
        per_word.append(time.perf_counter() - start)
    hits = Counter(t for t in all_tokens if analysis.exception_for(t) is not None)

    print(f"text: {source}")
    print(f"analysed: {n_words} whitespace words -> {len(all_tokens)} tokens, "
          f"{len(vocabulary)} distinct")
    print(f"one-off load (data file + Sastrawi dictionary): {load_s * 1000:.0f} ms")
    for label, times in (("cold cache", cold), ("warm cache", warm)):
        median = statistics.median(times)
        print(f"{label}: {n_words / median:>10,.0f} words/s  (median of {len(times)} runs: "
              f"{median * 1000:.1f} ms; min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    median = statistics.median(per_word)
    print(f"uncached stem(): {len(vocabulary) / median:>10,.0f} distinct tokens/s "
          f"({median / len(vocabulary) * 1e6:.0f} us each, median of {len(per_word)})")
    info = analysis.stem.cache_info()
    print(f"stem cache after the vocabulary pass: {info.currsize} entries, {info.hits} hits, "
          f"{info.misses} misses")
    print(f"exception-table hits: {sum(hits.values())} tokens "
          f"({len(hits)} distinct words)")
    for word, count in hits.most_common(15):
        print(f"  {count:5d}  {word} -> {analysis.exception_for(word)}")


if __name__ == "__main__":
    main()

"""Locust users for bench/load_test.py (which starts gunicorn and passes the session cookie,
queries and document URLs through environment variables): search pages, facet clicks
through the API, autocomplete and document pages, in a realistic mix."""
import json
import os
import random

from locust import HttpUser, between, constant, task

QUERIES = json.loads(os.environ["BENCH_QUERIES"])
DOCUMENTS = json.loads(os.environ["BENCH_DOCUMENTS"])
COOKIE = os.environ["BENCH_COOKIE"]
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "0"))
STAGES = ["pemeriksaan", "p-19", "p-21", "tahap-1", "penyelidikan", "spdp", "tak"]


class Officer(HttpUser):
    wait_time = between(THINK / 2, THINK * 1.5) if THINK else constant(0)

    def on_start(self):
        self.client.headers["Cookie"] = COOKIE

    @task(3)
    def search_page(self):
        self.client.get("/cari/", params={"q": random.choice(QUERIES)}, name="/cari/?q=")

    @task(2)
    def facet_click(self):
        self.client.get("/api/v1/search/", params={"q": random.choice(QUERIES), "stage": random.choice(STAGES)},
                        name="/api/v1/search/?q=&stage=")

    @task(3)
    def autocomplete(self):
        text = random.choice(QUERIES)
        self.client.get("/api/v1/suggest/", params={"q": text[:random.randint(3, 8)]}, name="/api/v1/suggest/?q=")

    @task(2)
    def document(self):
        self.client.get(random.choice(DOCUMENTS), name="document page")

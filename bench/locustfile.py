"""The staff's day under load (bench/load_bench.sh runs it): 50 people at once on the pages they use most.

Each virtual user logs in through the login page as one of the demo staff accounts (a session of its
own) and then, with half a second or so between clicks, opens what that role opens all day:

- center staff: the workbench (by deadline, newest first a few pages deep, filtered by status) and
  ticket pages;
- a community handler: the unit inbox and ticket pages;
- a section leader and the principal leader: the dashboard, the sign-off queue and ticket pages.

The ticket numbers come from the targets file bench/load_data.py writes (numbers each role may open).
Runs in its own virtualenv (locust is not a dependency of the product); reads LOAD_TARGETS. Besides
locust's own statistics (logins included), it writes the figures of the pages alone — every request
but the login — to LOAD_PAGES (JSON): the goals are about the pages people work on, and a login costs
a deliberate third of a second of password hashing.
"""

import json
import math
import os
import random
import re
import time

from locust import HttpUser, between, events, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATUSES = ["received", "dispatched", "handling", "replied", "closed"]
LOGIN = "/login/"
pages: dict[str, list] = {"times": [], "failures": [], "first": None, "last": None}


@events.request.add_listener
def record_page(name, response_time, exception, **_):
    if name.startswith(LOGIN):
        return
    now = time.monotonic()
    pages["first"] = pages["first"] or now
    pages["last"] = now
    pages["times"].append(response_time)
    if exception is not None:
        pages["failures"].append(f"{name}: {exception}")


@events.quitting.add_listener
def write_pages(environment, **_):
    times = sorted(pages["times"])
    seconds = (pages["last"] - pages["first"]) if times else 0.0
    nearest = (lambda q: times[max(0, math.ceil(q * len(times)) - 1)]) if times else (lambda q: None)
    summary = {
        "requests": len(times),
        "seconds": round(seconds, 1),
        "per_second": round(len(times) / seconds, 1) if seconds else 0.0,
        "median_ms": nearest(0.5),
        "p95_ms": nearest(0.95),
        "failures": len(pages["failures"]),
        "first_failures": pages["failures"][:20],
    }
    with open(os.environ["LOAD_PAGES"], "w", encoding="utf-8") as out:
        json.dump(summary, out)


class Staff(HttpUser):
    abstract = True
    role = ""
    # a click every half second on average: 50 people at this pace ask for about 100 pages a second
    wait_time = between(0.25, 0.75)

    def on_start(self):
        account = TARGETS["accounts"][self.role]
        self.tickets = account["tickets"]
        page = self.client.get(LOGIN, name=LOGIN)
        token = CSRF.search(page.text)
        if token is None:
            raise RuntimeError(f"no CSRF token on the login page (HTTP {page.status_code})")
        with self.client.post(
            LOGIN,
            data={"username": account["username"], "password": TARGETS["password"], "csrfmiddlewaretoken": token[1]},
            headers={"Referer": f"{self.host}{LOGIN}"},
            name=f"{LOGIN} (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login as {account['username']} answered {answer.status_code}")

    def open_ticket(self):
        self.client.get(f"/tickets/{random.choice(self.tickets)}/", name="/tickets/<no>/")


class CenterStaff(Staff):
    role = "center"
    weight = 4

    @task(3)
    def workbench(self):
        self.client.get("/tickets/", name="/tickets/ (by deadline)")

    @task(2)
    def workbench_newest(self):
        self.client.get(f"/tickets/?sort=-received&page={random.randint(1, 5)}", name="/tickets/?sort=-received&page=")

    @task(2)
    def workbench_filtered(self):
        self.client.get(f"/tickets/?status={random.choice(STATUSES)}&sort=-received", name="/tickets/?status=")

    @task(4)
    def ticket(self):
        self.open_ticket()


class Handler(Staff):
    role = "handler"
    weight = 3

    @task(3)
    def inbox(self):
        self.client.get("/inbox/", name="/inbox/")

    @task(4)
    def ticket(self):
        self.open_ticket()


class Leader(Staff):
    role = "leader"
    weight = 2

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/", name="/dashboard/")

    @task(1)
    def signoff(self):
        self.client.get("/signoff/", name="/signoff/")

    @task(3)
    def ticket(self):
        self.open_ticket()


class Principal(Leader):
    role = "principal"
    weight = 1

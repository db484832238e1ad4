"""Shared curation on the team's Neo4j (issue 15, item 2), against a real Neo4j 5.26 (the test harness):
the same decisions, audit trail, undo and redo as the workspace's SQLite file; two analysts in two processes
at once; decisions that survive a re-push of the graph."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fixtures import empty_neo4j

from tracegraph.graph.curation.apply import apply_curation
from tracegraph.graph.curation.log import SqliteDecisionLog
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog
from tracegraph.graph.stores.neo4j_io import counts, pull, push

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def team_log(neo4j_driver) -> Any:  # type: ignore[no-untyped-def]
    """The team's log on an empty Neo4j database."""
    empty_neo4j(neo4j_driver)
    log = Neo4jDecisionLog(neo4j_driver)
    yield log
    log.close()


def _scenario(alice: CurationStore, bob: CurationStore, g: Any) -> dict[str, Any]:
    """Two analysts on one log: decisions on the same link, undo of one's own, redo, an edit and a merge."""
    out: dict[str, Any] = {}
    out["a1"] = alice.confirm(g, "M4", "P2.2", comment="措施点名了问题")
    out["b1"] = bob.reject(g, "M4", "P2.2", comment="不对应")  # the same link: the later decision stands
    out["a2"] = alice.add(g, "M2", "P4.1", comment="党史学习")
    out["b2"] = bob.reject(g, "M1", "P2.3", comment="无关")
    out["bob_undo"] = bob.undo()  # bob's own last: b2, though alice wrote after b1
    out["bob_redo"] = bob.redo()
    out["alice_undo"] = alice.undo()  # a2
    out["edit"] = alice.edit_node(g, "P2.2", title="学习不够深入（校对后）", type="Cause", comment="其实是原因")
    keep, drop = sorted(n for n, a in g.nodes(data=True) if a.get("type") == "PolicyRef")[:2]
    out["merge"] = bob.merge_policy(g, keep, drop, comment="简称与全称")
    return out


def _audit_shape(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["id"], r["user"], r["op"], r["target"], r["old_value"], r["new_value"], r["comment"],
             r["decision_id"]) for r in rows]


def test_the_team_log_answers_exactly_as_the_workspace_file(tmp_path: Path, team_log, sample_graph,
                                                            sample_doc_id) -> None:
    d = sample_doc_id
    answers = {}
    for name, log in (("sqlite", SqliteDecisionLog(tmp_path / "c.sqlite")), ("neo4j", team_log)):
        alice, bob = CurationStore(log, user="alice"), CurationStore(log, user="bob")
        res = _scenario(alice, bob, sample_graph)
        g = sample_graph.copy()
        rep = apply_curation(g, alice)
        answers[name] = {
            "ids": {k: v for k, v in res.items() if isinstance(v, int)},
            "undo": [(x.id, x.user, x.op) for x in (res["bob_undo"], res["bob_redo"], res["alice_undo"])],
            "audit": _audit_shape(alice.log()),
            "at": [r["at"] for r in alice.log()],
            "decisions": [(x.id, x.op, x.user, x.undone) for x in bob.decisions(include_undone=True)],
            "version": alice.version(),
            "status": alice.link_status(g, f"{d}:M4", f"{d}:P2.2", "ADDRESSES"),
            "rejected": sorted(rep.rejected),
            "title": g.nodes[f"{d}:P2.2"]["title"],
            "type": g.nodes[f"{d}:P2.2"]["type"],
            "merged": sorted(rep.merged),
            "edge": {k: v for k, v in g.edges[f"{d}:M4", f"{d}:P2.2", "ADDRESSES"].items()
                     if not k.endswith("_at")},  # when it was decided differs between the two runs
        }
    s, n = answers["sqlite"], answers["neo4j"]
    assert n["at"] == sorted(n["at"]) and len(n["at"]) == len(s["at"])  # the audit's times follow its ids
    del n["at"], s["at"]
    assert n == s
    # and what they say is right
    assert n["undo"] == [(n["ids"]["b2"], "bob", "reject"), (n["ids"]["b2"], "bob", "reject"),
                         (n["ids"]["a2"], "alice", "add")]
    assert [r[2] for r in n["audit"]] == ["confirm", "reject", "add", "reject", "undo", "redo", "undo", "edit", "edit",
                                          "merge"]
    assert n["audit"][4][6] == f"撤销 #{n['ids']['b2']}（否决，bob）" and n["version"] == 10
    assert n["edge"]["rejected"] is True  # bob's rejection came after alice's confirmation
    assert n["status"] == "已确认，已否决" and n["title"] == "学习不够深入（校对后）" and n["type"] == "Cause"
    assert len(n["merged"]) == 1
    both = [(f"{d}:M4", f"{d}:P2.2", "ADDRESSES"), (f"{d}:M1", f"{d}:P2.3", "ADDRESSES")]
    assert sorted(n["rejected"]) == sorted(both)


def test_decisions_on_the_team_log_survive_a_re_push(team_log, neo4j_driver, sample_graph, sample_doc_id) -> None:
    """The graph is pushed, analysts decide, the graph is pushed again (a rebuild): every decision is still
    there and applies to the graph pulled back."""
    d = sample_doc_id
    push(sample_graph, neo4j_driver, progress=False)
    alice = CurationStore(team_log, user="alice")
    alice.confirm(sample_graph, "M4", "P2.2", comment="对应")
    alice.reject(sample_graph, "M1", "P2.3", comment="无关")
    alice.add(sample_graph, "M2", "P4.1", comment="党史学习")
    before = counts(neo4j_driver)
    push(sample_graph, neo4j_driver, progress=False)  # replace=True: prunes the pushed documents' nodes
    assert counts(neo4j_driver) == before
    assert [x.op for x in alice.decisions()] == ["confirm", "reject", "add"] and len(alice.log()) == 3
    g = pull(neo4j_driver)
    rep = apply_curation(g, CurationStore(team_log, user="bob"))  # another analyst sees them at once
    assert rep.confirmed == [(f"{d}:M4", f"{d}:P2.2", "ADDRESSES")]
    assert rep.added == [(f"{d}:M2", f"{d}:P4.1", "ADDRESSES")]
    assert g.edges[f"{d}:M1", f"{d}:P2.3", "ADDRESSES"]["rejected"] is True
    assert g.edges[f"{d}:M2", f"{d}:P4.1", "ADDRESSES"]["origin"] == "curated"
    # the pulled graph has no curation nodes in it: they are not part of the pushed graph
    assert not [n for n, a in g.nodes(data=True) if a.get("type") in (None, "TGDecision", "TGAudit")]


N = 30
UNDO = 4
WORKER = r"""
import os, sys, time
from tracegraph.graph.build.pipeline import build
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.model.schema import LINK_TYPES
from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog

uri, user_, password, n, undo, user, sample, go = sys.argv[1:9]
g, _ = build([sample])
links = sorted((u, v, k) for u, v, k, d in g.edges(keys=True, data=True)
               if k in LINK_TYPES and d.get("origin") == "inferred")[:6]
store = CurationStore(Neo4jDecisionLog.connect(uri, user_, password), user=user)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(int(n)):
    u, v, k = links[i % len(links)]  # both analysts decide on the same six links, over and over
    op = ("confirm", "reject")[(i + len(user)) % 2]
    print(getattr(store, op)(g, u, v, k, f"{user}-{i}"), flush=True)
for _ in range(int(undo)):
    print("undone", store.undo().id, flush=True)
"""


def test_two_analysts_in_two_processes_on_the_same_links(tmp_path: Path, team_log, neo4j_server,
                                                         sample_path: Path) -> None:
    go = tmp_path / "go"
    users = ("amy", "ben")
    args = [neo4j_server.uri, neo4j_server.user, neo4j_server.password, str(N), str(UNDO)]
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, *args, u, str(sample_path), str(go)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for u in users]
    for p in procs:
        line = p.stdout.readline().strip() if p.stdout else ""
        assert line == "ready", p.stderr.read() if p.stderr else ""
    go.touch()
    acked: dict[str, list[int]] = {}
    undone: dict[str, list[int]] = {}
    for u, p in zip(users, procs, strict=True):
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        lines = out.split("\n")
        acked[u] = [int(x) for x in lines if x.strip().isdigit()]
        undone[u] = [int(x.split()[1]) for x in lines if x.startswith("undone")]
    assert [len(acked[u]) for u in users] == [N, N]

    store = CurationStore(team_log, user="reader")
    decisions = store.decisions(include_undone=True)
    audit = store.log()
    # every acknowledged decision is there, once, with one audit row; ids unique and in each writer's order
    assert sorted(x.id for x in decisions) == sorted(acked["amy"] + acked["ben"]) == list(range(1, 2 * N + 1))
    assert len(audit) == 2 * N + 2 * UNDO and len({r["id"] for r in audit}) == len(audit)
    assert sorted(r["decision_id"] for r in audit if r["op"] not in ("undo",)) == list(range(1, 2 * N + 1))
    for u in users:
        assert acked[u] == sorted(acked[u])
        mine = [r for r in audit if r["user"] == u and r["op"] != "undo"]
        assert [int(r["comment"].rsplit("-", 1)[1]) for r in mine] == list(range(N))
        # each analyst's undo took back that analyst's own latest decisions, newest first
        assert undone[u] == sorted(acked[u], reverse=True)[:UNDO]
    assert {x.id for x in decisions if x.undone} == set(undone["amy"] + undone["ben"])
    # the rule for which decision stands: on each link, the one in force with the highest id (committed last)
    in_force = [x for x in decisions if not x.undone]
    for key in {(x.source, x.target, x.etype) for x in in_force}:
        last = max((x for x in in_force if (x.source, x.target, x.etype) == key), key=lambda x: x.id)
        assert store.link_status(_graph_of(sample_path), *key).endswith("已否决") == (last.op == "reject")


_BUILT: dict[str, Any] = {}


def _graph_of(path: Path) -> Any:
    from tracegraph.graph.build.pipeline import build

    if str(path) not in _BUILT:
        _BUILT[str(path)] = build([path])[0]
    return _BUILT[str(path)]



def test_the_app_on_neo4j_curates_in_the_team_log(team_log, neo4j_driver, neo4j_server, sample_graph,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tracegraph app --neo4j`: a rejection another analyst made shows in the app at once, struck through
    with that analyst's name; the app's 恢复 is written to the team log under the app's analyst (and lifts the
    rejection, though the pushed graph carried one from a workspace's own file); each analyst's undo takes back
    only their own decision."""
    import html

    from fixtures import run_app

    from tracegraph.ui import shared_store

    c, p = next((u, v) for u, v, k, d in sorted(sample_graph.edges(keys=True, data=True), key=lambda e: e[:2])
                if k == "EXPLAINS" and d.get("origin") == "inferred"
                and sum(1 for _, _, kk in sample_graph.in_edges(v, keys=True) if kk == "EXPLAINS") == 1)
    # the graph is pushed from a workspace whose own file had rejected the same link: the team's log decides
    pushed = sample_graph.copy()
    carol = CurationStore(tmp_path / "carol.sqlite", user="carol")
    carol.reject(pushed, c, p, "EXPLAINS", comment="旧的否决")
    apply_curation(pushed, carol)
    assert pushed.edges[c, p, "EXPLAINS"]["rejected"] is True
    push(pushed, neo4j_driver, progress=False)
    shared_store._index.clear()  # this process may have read another test's store in the last minute
    shared_store.document_graph.clear()
    monkeypatch.setenv("TRACEGRAPH_NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    ben = CurationStore(team_log, user="ben")
    ben.reject(sample_graph, c, p, "EXPLAINS", comment="不是这个原因")

    at = run_app(monkeypatch, tmp_path / "ws", user="amy", view="trace", trace=p)
    struck = [html.unescape(m.value) for m in at.markdown if "tg-rejected" in m.value]
    assert len(struck) == 1 and "ben 于" in struck[0] and "不是这个原因" in struck[0] and "carol" not in struck[0]
    next(b for b in at.button if b.key == f"tc-c-{c}-back").click()
    at.run()
    assert not at.exception and not [m for m in at.markdown if "tg-rejected" in m.value]
    assert [(x.op, x.user) for x in ben.decisions()] == [("reject", "ben"), ("restore", "amy")]
    assert not (tmp_path / "ws" / "curation.sqlite").exists()  # nothing went to the local file
    # ben's undo takes back ben's rejection, not amy's restore; the audit has all three, in order
    assert ben.undo().op == "reject"
    assert [(r["op"], r["user"]) for r in ben.log()] == [("reject", "ben"), ("restore", "amy"), ("undo", "ben")]
    assert [(x.op, x.user) for x in ben.decisions()] == [("restore", "amy")]


def test_curate_on_the_command_line_writes_to_the_team_log(team_log, neo4j_server, sample_path: Path,
                                                           tmp_path: Path) -> None:
    """`tracegraph curate … --neo4j`: two analysts' workspaces, one team log; without --neo4j the workspace's
    own file, which knows nothing of the team's decisions."""
    import os

    from fixtures import run_cli

    env = {**os.environ, "NEO4J_PASSWORD": neo4j_server.password, "NEO4J_USER": neo4j_server.user}
    env.pop("TRACEGRAPH_NEO4J_URI", None)
    team = ["--neo4j", neo4j_server.uri]
    for who in ("amy", "ben"):
        r = run_cli(["curate", "import", str(sample_path), "--workspace", str(tmp_path / who)], tmp_path, env)
        assert r.returncode == 0, r.stderr
    r = run_cli(["curate", "reject", "M1", "P2.3", "--comment", "无关", "--user", "amy",
                 "--workspace", str(tmp_path / "amy"), *team], tmp_path, env)
    assert r.returncode == 0 and "已否决 #1" in r.stdout, r.stderr
    r = run_cli(["curate", "log", "--json", "--workspace", str(tmp_path / "ben"), *team], tmp_path, env)
    assert r.returncode == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert (row["user"], row["op"], row["comment"]) == ("amy", "reject", "无关") and row["target"].endswith("P2.3")
    r = run_cli(["curate", "log", "--json", "--workspace", str(tmp_path / "ben")], tmp_path, env)
    assert r.returncode == 0 and json.loads(r.stdout) == []  # ben's own file has nothing
    r = run_cli(["curate", "undo", "--user", "ben", "--workspace", str(tmp_path / "ben"), *team], tmp_path, env)
    assert r.returncode == 0 and "没有可撤销的操作（用户 ben）" in r.stdout  # amy's decision is not ben's to undo
    assert [x.op for x in CurationStore(team_log).decisions()] == ["reject"]


def test_corpus_counts_agree_across_stores_with_the_team_decisions(team_log, neo4j_driver, tmp_path: Path) -> None:
    """The corpus overview's numbers from Neo4j (Cypher aggregates, corrected for the documents the team's
    decisions touch) equal the embedded store's on the curated graph — per document and for the corpus."""
    from fixtures import two_document_graph

    from tracegraph.graph.query import queries
    from tracegraph.graph.query.summary import cited_policies
    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    g = two_document_graph(tmp_path)
    a, b = sorted(g.graph["documents"])
    push(g, neo4j_driver, progress=False)
    plain = Neo4jStore(neo4j_driver)
    assert plain.counts() == EmbeddedStore(g).counts()
    assert plain.counts()["documents"] == 2 and plain.counts()["Problem"] == 2 * 17
    for doc in (a, b):
        assert plain.counts(doc) == EmbeddedStore(g).counts(doc)

    amy = CurationStore(team_log, user="amy")
    covered = [p for p in queries.counted_problems(g, a) if queries._edge_rows(g, p, "ADDRESSES", "in")]
    for m, _ in queries._edge_rows(g, covered[0], "ADDRESSES", "in"):  # a new gap in document a
        amy.reject(g, m, covered[0], comment="不对应")
    gap = queries.gaps(g, b)["problems_without_measures"][0]["id"]
    amy.add(g, f"{b}:M1", gap, comment="补上")  # a gap closed in document b
    retyped = next(p for p in queries.counted_problems(g, b)
                   if p != gap and queries._edge_rows(g, p, "ADDRESSES", "in"))
    amy.edit_node(g, retyped, type="Cause", comment="其实是原因")  # a covered problem becomes a cause
    keep, drop = [r["id"] for r in cited_policies(g, None)[:2]]
    amy.merge_policy(g, keep, drop, comment="简称与全称")
    curated = g.copy()
    apply_curation(curated, amy)
    team = Neo4jStore(neo4j_driver, curation=amy)
    want, before = EmbeddedStore(curated).counts(), plain.counts()
    assert team.counts() == want
    delta = {k: want[k] - before[k] for k in want if want[k] != before[k]}
    # one gap opened in a and one closed in b (net 0), a problem became a cause with no measure, two references
    # became one
    assert delta == {"Problem": -1, "Cause": 1, "PolicyRef": -1, "causes_without_measures": 1}
    assert team.counts(a)["problems_without_measures"] == plain.counts(a)["problems_without_measures"] + 1
    assert team.counts(b)["problems_without_measures"] == plain.counts(b)["problems_without_measures"] - 1
    for doc in (a, b):
        assert team.counts(doc) == EmbeddedStore(curated).counts(doc)

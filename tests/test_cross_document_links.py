"""A link between two documents' nodes is never made by accident: "M5 → P4.1" typed into a form where five
documents each have an M5 and a P4.1 must not silently join two materials. Adding one needs an explicit choice,
which the audit trail records and which survives a rebuild."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracegraph.errors import CurationError
from tracegraph.graph.curation.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"
OTHER = ROOT / "tests" / "data" / "layouts" / "nested-named-problems-tongbao.txt"


@pytest.fixture()
def two_docs(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws", user="钱")
    ws.import_file(SAMPLE)
    ws.import_file(OTHER)
    assert not ws.build().failed
    return ws


def _ids(ws: Workspace) -> tuple[str, str, str]:
    g = ws.build().graph
    sample_doc, other_doc = sorted(g.graph["documents"], key=lambda d: d != "000_ddb002e987b04e7f")
    measure = f"{sample_doc}:M5"
    own_problem = f"{sample_doc}:P4.1"
    foreign = next(n for n, d in g.nodes(data=True) if d.get("doc") == other_doc and d.get("type") == "Problem")
    return measure, own_problem, foreign


def test_a_cross_document_link_is_refused_without_an_explicit_choice(two_docs: Workspace) -> None:
    g = two_docs.build().graph
    m, own, foreign = _ids(two_docs)
    with pytest.raises(CurationError, match="属于不同文档"):
        two_docs.curation.add(g, m, foreign, "ADDRESSES", "看着像")
    assert not two_docs.curation.log(limit=10)  # nothing was written
    two_docs.curation.add(g, m, own, "ADDRESSES", "同一文档")  # the ordinary case is untouched
    two_docs.curation.add(g, m, foreign, "ADDRESSES", "两份材料讲的是同一件事", cross_document=True)
    g2 = two_docs.build().graph  # the decision survives a rebuild
    e = g2.edges[m, foreign, "ADDRESSES"]
    assert e["origin"] == "curated" and e["comment"] == "两份材料讲的是同一件事"


def test_the_cli_needs_cross_document_too(two_docs: Workspace) -> None:
    m, _own, foreign = _ids(two_docs)
    root = str(two_docs.root)
    two_docs.close()
    cli = [sys.executable, "-m", "tracegraph.cli", "curate", "add", m, foreign, "--workspace", root, "--comment", "x"]
    refused = subprocess.run(cli, capture_output=True, text=True)
    assert refused.returncode == 8 and "跨文档关联须明确选择" in refused.stderr
    done = subprocess.run([*cli, "--cross-document"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

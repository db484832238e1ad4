"""`tracegraph neo4j load`: an archive read and loaded in batches, never built into one graph, ends as `build`
followed by `neo4j push --bulk` would leave the store — with similar problems grouped across batches."""

from __future__ import annotations

import os
from pathlib import Path

from fixtures import empty_neo4j, normalised, run_cli, write_binary

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "data", ROOT / "tests/data/real", ROOT / "tests/data/real_more", ROOT / "tests/data/layouts")


def test_a_streamed_load_equals_a_build_then_a_bulk_load(neo4j_driver, tmp_path: Path) -> None:
    from tracegraph.graph.build.pipeline import build
    from tracegraph.graph.stores.neo4j_bulk import bulk_load
    from tracegraph.graph.stores.neo4j_io import pull
    from tracegraph.graph.stores.neo4j_store import Neo4jStore
    from tracegraph.graph.stores.neo4j_stream import stream_load

    bad = tmp_path / "bad"
    bad.mkdir()
    write_binary(bad)
    paths = [*FOLDERS, bad]
    g, built = build(paths, workers=1)
    assert len(g.graph["documents"]) >= 8 and len(built.failed) == 1
    similar = sum(1 for *_, d in g.edges(data=True) if d.get("type") == "SIMILAR_TO")
    assert similar > 0  # the sample and its near relatives share problems: grouping across batches is exercised

    empty_neo4j(neo4j_driver)
    bulk_load(g, neo4j_driver)
    expected = normalised(pull(neo4j_driver))
    expected_counts = Neo4jStore(neo4j_driver).counts()

    empty_neo4j(neo4j_driver)
    rep = stream_load(paths, neo4j_driver, workers=1, batch_documents=2)
    assert rep.documents == len(g.graph["documents"]) and rep.batches == -(-rep.documents // 2)
    assert [p for p, _ in rep.failed] == [p for p, _ in built.failed]
    assert rep.similar == similar and rep.relationships == g.number_of_edges()
    assert normalised(pull(neo4j_driver)) == expected
    assert Neo4jStore(neo4j_driver).counts() == expected_counts
    # a second run over the same archive (a resumed or repeated load) leaves the same store
    stream_load(paths, neo4j_driver, workers=1, batch_documents=3)
    assert normalised(pull(neo4j_driver)) == expected
    empty_neo4j(neo4j_driver)


def test_the_command(neo4j_server, neo4j_driver, tmp_path: Path) -> None:
    empty_neo4j(neo4j_driver)
    bad = tmp_path / "bad"
    bad.mkdir()
    write_binary(bad)
    env = dict(os.environ, NEO4J_PASSWORD=neo4j_server.password)
    res = run_cli(["neo4j", "load", str(ROOT / "tests/data/real"), str(bad), "--uri", neo4j_server.uri,
                   "--user", neo4j_server.user, "--batch-documents", "1", "--workers", "1"], tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert "乱码材料.txt：不是文本文件" in res.stderr  # named, with the reason; the rest loaded
    docs = neo4j_driver.execute_query("MATCH (d:TGDocumentMeta) RETURN d.path AS p ORDER BY p").records
    # every supported file of the folder (its README.md too: Markdown is a document format), one batch each
    assert f"已读取并载入 {len(docs)} 篇文档" in res.stdout and len(docs) == 3 and "分 3 批写入" in res.stdout
    assert {Path(r["p"]).name for r in docs} == {p.name for p in (ROOT / "tests/data/real").glob("*.*")
                                                 if p.suffix in (".txt", ".md")}
    empty_neo4j(neo4j_driver)

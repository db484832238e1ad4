"""The store interface the front ends use, with an embedded (networkx) and a Neo4j implementation."""

"""The data contract: node and edge types, ids, labels, and the JSON form of a graph."""

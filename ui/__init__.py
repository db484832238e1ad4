"""The Streamlit app's front end: shell.py (pages), state.py (typed session state + URL mirror), views/ (one module
per page), accounts.py (login beyond loopback); document text always passes through highlight.esc."""

"""The only Streamlit code outside pages/: cached data access, filters, charts, formatting."""

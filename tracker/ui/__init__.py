"""The Streamlit user interface: entry script, sign-in, navigation and shared components."""

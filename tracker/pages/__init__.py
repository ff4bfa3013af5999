"""One Streamlit page per file, UI only: read widgets, call a service, render the result."""

"""Services: every business operation, pure Python over a SQLModel session.

Pages, the command line and the scheduler's jobs call these; services import no Streamlit,
APScheduler or msal. Functions take the session first and keyword-only arguments after it.
"""

"""Bare extension instances; the factory attaches them to the app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: each throttled route says its own (sign-in, verification look-ups, ...).
limiter = Limiter(key_func=get_remote_address, default_limits=[])

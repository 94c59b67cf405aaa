"""Signing in and out."""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user

from engine import services
from engine.errors import PermissionDenied

from .extensions import SignedIn, gl
from .i18n import message

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            actor = services.authenticate(gl(), request.form.get("username", ""), request.form.get("password", ""))
        except PermissionDenied as exc:
            error = message(exc)
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in
            if lang:
                session["lang"] = lang
            login_user(SignedIn(actor))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, username=request.form.get("username", "")), (
        401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))

"""Signing in and out, changing one's own password, and setting one with a one-time reset link."""
import time
from dataclasses import replace
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from engine import services
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.services import account_admin
from web.extensions import SIGNED_IN_AT, SignedIn, actor, gl
from web.i18n import message

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.inbox")


def _start_session(signed_in) -> None:
    """A fresh session (no fixation) that keeps only the language, for this actor and generation."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SIGNED_IN_AT] = time.time()
    login_user(SignedIn(signed_in))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            signed_in = services.authenticate(gl(), request.form.get("username", ""), request.form.get("password", ""))
        except PermissionDenied as exc:
            error = message(exc)
        else:
            _start_session(signed_in)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, username=request.form.get("username", "")[:80]), (
        401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.sign_out(gl(), actor())  # every session of the account ends, a copied cookie too
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            generation = account_admin.change_password(gl(), actor(), form.get("current_password", ""),
                                                       form.get("password", ""), form.get("repeat_password", ""))
        except InvalidInput as exc:
            error, status = exc, 422
        else:  # this session goes on with the new generation; every other one has ended
            _start_session(replace(actor(), session_generation=generation, must_change_password=False))
            flash(_("Your password was changed. Your other sessions were signed out."), "success")
            return redirect(url_for("main.inbox"))
    return render_template("password_change.html", error=error, error_text=message(error) if error else "",
                           forced=actor().must_change_password), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        username = account_admin.reset_target(gl(), token)
    except NotFound as exc:
        return render_template("password_reset.html", invalid=message(exc), username="", error=None,
                               error_text=""), 404
    error, status = None, 200
    if request.method == "POST":
        try:
            account_admin.reset_password(gl(), token, request.form.get("password", ""),
                                         request.form.get("repeat_password", ""))
        except InvalidInput as exc:
            error, status = exc, 422
        else:
            flash(_("Your new password is set: sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("password_reset.html", invalid=None, username=username, error=error,
                           error_text=message(error) if error else ""), status

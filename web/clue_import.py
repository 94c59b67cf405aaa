from flask import Blueprint
bp = Blueprint("clue_import", __name__, url_prefix="/clues/import")

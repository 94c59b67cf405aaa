"""What schema comparisons (autogenerate, the schema test) leave out: PostgreSQL's trigram search indexes,
which exist only there and only by migration."""
TRIGRAM_PREFIX = "ix_trgm_"


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "index" and name and name.startswith(TRIGRAM_PREFIX))

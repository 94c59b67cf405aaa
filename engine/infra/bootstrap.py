"""``guardloop init``: create or migrate the database, seed reference data, deploy the models, and — only
when asked (``--demo-users``) and only on a database with no real accounts — the demo users of every role."""
from sqlalchemy import select

from engine.context import GuardLoop
from engine.infra import schema
from engine.issuing import pki
from engine.models import User
from engine.rules.permissions import DEMO_ACCOUNTS_REFUSED, require
from engine.services.setup import add_user, seed_reference

DEMO_PASSWORD = "guardloop-demo"

# username, display name, agency, role, district
DEMO_USERS = [
    ("admin", "系统管理员", "womens_federation", "admin", "JB"),
    ("wf_caseworker", "江北妇联·李娟", "womens_federation", "caseworker", "JB"),
    ("wf_caseworker2", "江北妇联·周敏", "womens_federation", "caseworker", "JB"),
    ("wf_counsellor", "江北家庭教育指导师·陈静", "womens_federation", "counsellor", "JB"),
    ("wf_supervisor", "江北妇联督导·王芳", "womens_federation", "supervisor", "JB"),
    ("prosecutor", "江北检察院检察官·张磊", "procuratorate", "prosecutor", "JB"),
    ("pro_supervisor", "江北检察院未检部主任·刘洋", "procuratorate", "supervisor", "JB"),
    ("judge", "江北法院法官·赵敏", "court", "judge", "JB"),
    ("court_clerk", "江北法院书记员·孙丽", "court", "caseworker", "JB"),
    ("court_supervisor", "江北法院少年家事庭庭长·钱宁", "court", "supervisor", "JB"),
    ("police", "江北公安民警·吴强", "police", "caseworker", "JB"),
    ("police_supervisor", "江北公安分局观音桥派出所所长·郑伟", "police", "supervisor", "JB"),
    ("teacher", "江北区某小学·郑老师", "education", "caseworker", "JB"),
    ("civil_affairs", "江北民政·冯涛", "civil_affairs", "caseworker", "JB"),
    ("civil_supervisor", "江北民政局儿童福利科科长·韩梅", "civil_affairs", "supervisor", "JB"),
    ("community", "江北网格员·何平", "community", "caseworker", "JB"),
    ("yz_caseworker", "渝中妇联·马丽", "womens_federation", "caseworker", "YZ"),
    ("yz_prosecutor", "渝中检察院检察官·高远", "procuratorate", "prosecutor", "YZ"),
    ("leader", "江北区妇联·领导", "womens_federation", "leader", "JB"),
    ("base_staff", "江北区妇女儿童活动中心·实践基地·罗兰", "womens_federation", "base_staff", "JB"),
]


def init(gl: GuardLoop, with_demo_users=False) -> list[tuple]:
    """Idempotent. Returns the demo users created now (username, role, agency, district).

    Demo users share one published password: they are refused on a database that has any other account
    (a production database), and nothing is written then."""
    schema.upgrade(gl.engine)
    created = []
    with gl.transaction() as session:
        seed_reference(session)
        gl.deploy_models(session)
        if with_demo_users:
            real = session.scalars(select(User.id).where(User.demo.is_(False))).first()
            require(real is None, DEMO_ACCOUNTS_REFUSED)
            for username, name, agency, role, district in DEMO_USERS:
                if session.scalars(select(User.id).where(User.username == username)).first() is None:
                    add_user(session, None, {"username": username, "display_name": name, "password": DEMO_PASSWORD,
                                             "agency": agency, "role": role, "district": district}, demo=True)
                    created.append((username, role, agency, district))
    pki.ensure_all(gl)      # the demo CA and every office's signing certificate (kept when present)
    return created

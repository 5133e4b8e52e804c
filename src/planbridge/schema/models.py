"""Import every domain's tables so ``Base.metadata`` is complete (Alembic, tests)."""

from planbridge.accounts import models as accounts_models
from planbridge.audit import models as audit_models
from planbridge.db.base import Base
from planbridge.exports import models as exports_models
from planbridge.integrations import models as integrations_models
from planbridge.integrations import personal_models
from planbridge.oauth import models as oauth_models
from planbridge.planning import models as planning_models
from planbridge.planning import staged_models
from planbridge.projects import models as projects_models
from planbridge.publishing import models as publishing_models

__all__ = [
    "Base",
    "accounts_models",
    "audit_models",
    "exports_models",
    "integrations_models",
    "oauth_models",
    "personal_models",
    "planning_models",
    "projects_models",
    "publishing_models",
    "staged_models",
]

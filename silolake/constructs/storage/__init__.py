"""Storage capability: a silo's key, zone buckets and Glue catalog."""

from .glue_tables import GlueCatalog
from .silo_storage import SiloStorage

__all__ = ["GlueCatalog", "SiloStorage"]

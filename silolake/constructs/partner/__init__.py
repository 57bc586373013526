"""Partner access: credential vending, partner sessions, SFTP, and the partner web pages."""

from .access import PartnerAccess, wanted
from .api import PartnerApi
from .functions import SOURCE, PartnerFunctions
from .sftp import SftpServer
from .web import PartnerWeb

__all__ = ["SOURCE", "PartnerAccess", "PartnerApi", "PartnerFunctions", "PartnerWeb", "SftpServer", "wanted"]

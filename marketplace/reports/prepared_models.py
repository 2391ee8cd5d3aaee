"""Report files prepared by a background job (large XLSX exports, PDF reports) for the person
who asked, kept in the database so that every app server can hand them out."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from marketplace.core.clock import utcnow
from marketplace.extensions import db

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
PENDING = (QUEUED, RUNNING)


class PreparedFile(db.Model):
    __tablename__ = "prepared_files"
    __table_args__ = (Index("ix_prepared_files_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: "xlsx" (the exchanges workbook) or "pdf" (the report).
    kind: Mapped[str] = mapped_column(String(10))
    #: The download's file name, chosen in the asker's language when asked.
    filename: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    #: What the job builds from: the report's query string (xlsx) or the report's HTML (pdf).
    source: Mapped[str] = mapped_column(Text)
    #: Equal for equal requests of one person: a second click while one is pending reuses it.
    request_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def pending(self) -> bool:
        return self.status in PENDING

"""The schema you want, as SQLAlchemy 2.0 models.

migrate reads them through `[model] sqlalchemy = "models:Base"` in migrate.toml:
`migrate revision --autogenerate -m "..."` compares them with the database and
writes the migration as SQL you can review. To rename rather than drop and add,
say so where the model changes:

    name: Mapped[str] = mapped_column(String(30), info={"renamed_from": "title"})
    __table_args__ = {"info": {"renamed_from": "old_table_name"}}
"""

from sqlalchemy import ForeignKey, String  # noqa: F401 (for the example below)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship  # noqa: F401


class Base(DeclarativeBase):
    pass


# class Artist(Base):
#     __tablename__ = "artist"
#
#     id: Mapped[int] = mapped_column(primary_key=True)
#     name: Mapped[str] = mapped_column(String(30))
#
#     tracks: Mapped[list["Track"]] = relationship(
#         back_populates="artist", cascade="all, delete-orphan"
#     )
#
#
# class Track(Base):
#     __tablename__ = "track"
#
#     id: Mapped[int] = mapped_column(primary_key=True)
#     title: Mapped[str]
#     artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"))
#
#     artist: Mapped[Artist] = relationship(back_populates="tracks")

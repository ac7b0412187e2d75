"""The music catalogue as SQLAlchemy 2.0 models: the same schema as models.toml.

`migrate` reads them as its model with one line in migrate-sqlalchemy.toml:
`[model] sqlalchemy = "models:Base"`.
"""

from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Artist(Base):
    __tablename__ = "artist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(30), nullable=False)

    albums: Mapped[list["Album"]] = relationship(back_populates="artist", cascade="all, delete-orphan")
    tracks: Mapped[list["Track"]] = relationship(back_populates="artist", cascade="all, delete-orphan")


class Album(Base):
    __tablename__ = "album"
    __table_args__ = (UniqueConstraint("artist_id", "title", name="uq_album_artist_title"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"), nullable=False)

    artist: Mapped[Artist] = relationship(back_populates="albums")
    tracks: Mapped[list["Track"]] = relationship(back_populates="album")


class Track(Base):
    __tablename__ = "track"
    __table_args__ = (
        Index("ix_track_title", "title"),
        Index("ix_track_album_id", "album_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String, nullable=False)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"), nullable=False)
    album_id: Mapped[Optional[int]] = mapped_column(ForeignKey("album.id", ondelete="SET NULL"))
    duration_seconds: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))

    artist: Mapped[Artist] = relationship(back_populates="tracks")
    album: Mapped[Optional[Album]] = relationship(back_populates="tracks")

"""Seed the development database."""
import os
import sqlite3

DB = os.environ.get("DB_PATH", "dev.db")

if __name__ == "__main__":
    conn = sqlite3.connect(DB)
    conn.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()

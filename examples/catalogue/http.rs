//! The catalogue's HTTP side: just enough HTTP/1.1 on a std `TcpListener`
//! to answer `GET` with JSON, one request per connection, for an example
//! that should not pull in a web framework.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use migrate::rusqlite::{self, Connection};
use serde_json::{Value, json};

/// Answers requests until the process is stopped.
pub fn serve(listener: &TcpListener, conn: &Connection) -> Result<(), Box<dyn std::error::Error>> {
    for stream in listener.incoming() {
        // One bad client must not stop the service.
        if let Err(e) = stream.and_then(|s| answer(s, conn)) {
            eprintln!("catalogue: {e}");
        }
    }
    Ok(())
}

fn answer(mut stream: TcpStream, conn: &Connection) -> std::io::Result<()> {
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    // The headers are read and ignored: every answer is JSON.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (status, body) = match (parts.next(), parts.next()) {
        (Some("GET"), Some(path)) => route(path, conn),
        _ => ("405 Method Not Allowed", json!({"error": "only GET"})),
    };
    let body = body.to_string();
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn route(path: &str, conn: &Connection) -> (&'static str, Value) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rows = match segments.as_slice() {
        ["artists"] => artists(conn),
        ["artists", id, "tracks"] => match id.parse::<i64>() {
            Ok(id) => tracks(conn, id),
            Err(_) => return ("404 Not Found", json!({"error": "no such artist"})),
        },
        _ => return ("404 Not Found", json!({"error": "no such path"})),
    };
    match rows {
        Ok(rows) => ("200 OK", rows),
        Err(e) => ("500 Internal Server Error", json!({"error": e.to_string()})),
    }
}

fn artists(conn: &Connection) -> rusqlite::Result<Value> {
    let mut stmt = conn.prepare("SELECT id, name FROM artist ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(json!({"id": r.get::<_, i64>(0)?, "name": r.get::<_, String>(1)?}))
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map(Value::from)
}

fn tracks(conn: &Connection, artist: i64) -> rusqlite::Result<Value> {
    let mut stmt = conn.prepare(
        "SELECT id, title, duration_seconds FROM track WHERE artist_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([artist], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?,
            "title": r.get::<_, String>(1)?,
            "duration_seconds": r.get::<_, i64>(2)?,
        }))
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map(Value::from)
}

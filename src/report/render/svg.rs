//! Charts as inline SVG for the HTML renderer.

//! The build's copy of the delivery, made from the checked content: every file is read through
//! directory handles opened one level at a time without following any link (a folder the vendor
//! can still write cannot swap a component for a link to `/etc` while the copy is made), and
//! its SHA-256 must equal the inventory's. Folders and links are made from the inventory, not
//! from what is on disk now.

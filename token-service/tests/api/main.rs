mod binary;
mod health_check;
mod helpers;
mod static_files;

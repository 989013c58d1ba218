namespace TapeChanger.Transport.Iscsi;

namespace TapeChanger.Transport.Iscsi.Tests;
